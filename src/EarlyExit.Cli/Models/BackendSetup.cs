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
    /// <param name="precision"><c>--precision</c>: "fp32" (default) or "int8"; int8 needs the ONNX backend.</param>
    /// <param name="backend">The backend chosen, to refuse int8 on torch.</param>
    public static OnnxBackendOptions OnnxOptions(int? onnxThreads, int threads, string precision = "fp32", InferenceBackend backend = InferenceBackend.Onnx)
    {
        if (onnxThreads is { } n) TorchSetup.CheckThreads("--onnx-threads", n, minimum: 0, " (0 = ONNX Runtime's choice)");
        bool int8 = string.Equals(precision, "int8", StringComparison.OrdinalIgnoreCase);
        if (!int8 && !string.Equals(precision, "fp32", StringComparison.OrdinalIgnoreCase))
            throw new CliException($"--precision must be fp32 or int8; got '{precision}'");
        if (int8 && backend != InferenceBackend.Onnx)
            throw new CliException("--precision int8 runs on ONNX Runtime: add --backend onnx");
        return new OnnxBackendOptions { IntraOpThreads = onnxThreads ?? threads, Precision = int8 ? Onnx.Export.OnnxPrecision.Int8 : Onnx.Export.OnnxPrecision.Float32 };
    }

}
