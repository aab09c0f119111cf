namespace EarlyExit.Server;

/// <summary>How the server groups the inputs of concurrent requests into model calls; named as <see cref="BatchingModes"/> says.</summary>
[System.ComponentModel.TypeConverter(typeof(BatchingModes.Converter))]
public enum BatchingMode
{
    /// <summary>
    /// Depth-pooled continuous batching (the default): rows carry their own layer, rows at the same
    /// depth are pooled, and each step runs one layer on a full batch from one pool
    /// (<see cref="Scheduling.DepthPooledScheduler"/>).
    /// </summary>
    DepthPooled,

    /// <summary>
    /// Static batching, for comparison: collect up to <see cref="ServerOptions.MaxBatchSize"/> rows,
    /// run them through the early-exit runtime together and wait for all of them to finish before
    /// the next batch (<see cref="Scheduling.StaticBatchScheduler"/>).
    /// </summary>
    Static,

    /// <summary>One input at a time through the early-exit runtime (batch size 1), for comparison.</summary>
    Single,
}
