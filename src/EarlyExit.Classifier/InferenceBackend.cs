namespace EarlyExit;

/// <summary>Which library computes the layers of a multi-exit encoder at inference time (<c>--backend</c>).</summary>
/// <remarks>Both run under the same <see cref="Torch.Runtime.EarlyExitRuntime{TInput}"/> and give the
/// same exits and predictions (probabilities within 1e-4); they differ in speed.</remarks>
public enum InferenceBackend
{
    /// <summary>TorchSharp (libtorch): <see cref="Torch.Runtime.EncoderExitModel"/>. Runs on the encoder's device.</summary>
    Torch = 0, // the default: what an unset option or setting reads

    /// <summary>ONNX Runtime on the CPU, one session per segment: <see cref="Onnx.Runtime.OnnxExitModel"/>.</summary>
    Onnx,
}
