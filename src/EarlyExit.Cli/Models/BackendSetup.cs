using EarlyExit.Onnx.Runtime;

namespace EarlyExit.Cli.Models;

/// <summary>Applies <c>--onnx-threads</c>: the ONNX Runtime settings of <c>--backend onnx</c> (<see cref="InferenceBackends.CreateModel"/> builds the model).</summary>
public static class BackendSetup
{
    /// <summary>
    /// ORT settings for <c>--onnx-threads</c>: that many intra-op threads, or as many as torch's
    /// <c>--threads</c> when not given (our choice: one knob sets both on a shared machine, and ORT's
    /// own default, one thread per physical core, can be more than a user's share); the rest are
    /// <see cref="OnnxBackendOptions"/>' defaults.
    /// </summary>
    /// <param name="onnxThreads"><c>--onnx-threads</c>, ≥ 0, or null.</param>
    /// <param name="threads"><c>--threads</c>.</param>
    /// <exception cref="CliException"><paramref name="onnxThreads"/> is negative or above <see cref="TorchSetup.MaxThreads"/>.</exception>
    public static OnnxBackendOptions OnnxOptions(int? onnxThreads, int threads)
    {
        if (onnxThreads is { } n) TorchSetup.CheckThreads("--onnx-threads", n, minimum: 0, " (0 = ONNX Runtime's choice)");
        return new OnnxBackendOptions { IntraOpThreads = onnxThreads ?? threads };
    }

}
