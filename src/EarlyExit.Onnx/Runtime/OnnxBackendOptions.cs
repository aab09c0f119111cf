using Microsoft.ML.OnnxRuntime;

namespace EarlyExit.Onnx.Runtime;

/// <summary>
/// How ONNX Runtime runs the exported graphs: threads and graph optimisation. One options object
/// serves every session of a backend (the segments and the full classifier), so both sides of a
/// comparison run under the same settings.
/// </summary>
public sealed record OnnxBackendOptions
{
    /// <summary>
    /// Threads one operator may use (ORT's intra-op pool), ≥ 0. Default 0: ORT's own choice, one
    /// per physical core. On a shared machine set it to the cores you may use.
    /// </summary>
    public int IntraOpThreads { get; init; }

    /// <summary>
    /// Threads for running independent operators at once, ≥ 0. Default 0: ORT's choice. It only
    /// matters with <see cref="ParallelExecution"/>; a BERT layer is one chain of ops.
    /// </summary>
    public int InterOpThreads { get; init; }

    /// <summary>
    /// Run independent branches of a graph in parallel (ORT_PARALLEL). Default false
    /// (ORT_SEQUENTIAL), ORT's default and the better choice for one chain of ops per layer.
    /// </summary>
    public bool ParallelExecution { get; init; }

    /// <summary>
    /// Whether idle intra-op threads spin before sleeping (ORT's session.intra_op.allow_spinning).
    /// Default false, unlike ORT (our choice): the backend chains one session per segment, each
    /// with its own thread pool, and a pool left spinning after its segment takes the cores from
    /// the next segment's. Measured on 2 cores, 2 threads, batch 1, every text exiting after
    /// layer 1: spinning made the backend 2.6× faster than the full model, not spinning 5.2×;
    /// the full model itself ran as fast either way. Matters only with more than one thread.
    /// </summary>
    public bool AllowSpinning { get; init; }

    /// <summary>Graph optimisations ORT applies when a session is created. Default <see cref="GraphOptimizationLevel.ORT_ENABLE_ALL"/>
    /// (constant folding, attention, GELU and LayerNorm fusions, …).</summary>
    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>How the segments' Linear layers run: float32 (default) or int8 (<see cref="Export.OnnxPrecision.Int8"/>).</summary>
    public Export.OnnxPrecision Precision { get; init; } = Export.OnnxPrecision.Float32;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A thread count is negative, or the optimisation level is not defined.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(IntraOpThreads);
        ArgumentOutOfRangeException.ThrowIfNegative(InterOpThreads);
        if (!Enum.IsDefined(Precision))
            throw new ArgumentOutOfRangeException(nameof(Precision), Precision, $"Precision must be one of {string.Join(", ", Enum.GetNames<Export.OnnxPrecision>())}; got {Precision}");
        if (!Enum.IsDefined(OptimizationLevel))
            throw new ArgumentOutOfRangeException(nameof(OptimizationLevel), OptimizationLevel,
                $"OptimizationLevel must be one of {string.Join(", ", Enum.GetNames<GraphOptimizationLevel>())}; got {OptimizationLevel}");
    }

    /// <summary>ORT session options for these settings; the caller disposes them.</summary>
    internal SessionOptions CreateSessionOptions()
    {
        Validate();
        var options = new SessionOptions
        {
            IntraOpNumThreads = IntraOpThreads,
            InterOpNumThreads = InterOpThreads,
            ExecutionMode = ParallelExecution ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = OptimizationLevel,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", AllowSpinning ? "1" : "0");
        return options;
    }
}
