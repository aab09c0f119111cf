using EarlyExit.Data.Tokenization;
using EarlyExit.Server.Telemetry;
using EarlyExit.Torch.Runtime;

namespace EarlyExit.Server.Scheduling;

/// <summary>One input of a job, as the worker takes it off the queue.</summary>
/// <param name="Job">The request it belongs to.</param>
/// <param name="Row">Its 0-based index in the request's inputs.</param>
internal readonly record struct QueuedRow(ClassifyJob Job, int Row)
{
    /// <summary>The input, tokenized.</summary>
    public EncodedText Input => Job.Inputs[Row];

    /// <summary>Answers the row, counting its exit; its capacity is released by the caller (<see cref="RequestQueue.Release"/>).</summary>
    public void Answer(ExitResult result, ServerMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(result);
        metrics.Exit(result.ExitIndex);
        Job.Complete(Row, result);
    }
}
