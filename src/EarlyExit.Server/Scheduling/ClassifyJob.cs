using System.Collections.Immutable;
using System.Diagnostics;
using EarlyExit.Core.Policies;
using EarlyExit.Data.Tokenization;
using EarlyExit.Torch.Runtime;

namespace EarlyExit.Server.Scheduling;

/// <summary>
/// One request inside a scheduler: its inputs (tokenized on the caller's thread), its policy, the
/// results filled in row by row by the worker thread, and the task its caller awaits.
/// </summary>
/// <remarks>Results and the pending count are touched by the worker thread only; cancellation
/// (any thread) only completes the task, and the worker drops the job's rows when it next sees them.</remarks>
internal sealed class ClassifyJob
{
    private readonly ExitResult?[] _results;
    private readonly TaskCompletionSource<ImmutableArray<ExitResult>> _completion =
        new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pending;

    public ClassifyJob(IReadOnlyList<EncodedText> inputs, ExitPolicy policy)
    {
        Inputs = inputs;
        Policy = policy;
        _results = new ExitResult?[inputs.Count];
        _pending = inputs.Count;
        ArrivedAt = Stopwatch.GetTimestamp();
    }

    /// <summary>The request's texts, tokenized, one row each.</summary>
    public IReadOnlyList<EncodedText> Inputs { get; }

    /// <summary>Number of inputs.</summary>
    public int Count => Inputs.Count;

    public ExitPolicy Policy { get; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> when it was submitted.</summary>
    public long ArrivedAt { get; }

    /// <summary>Rows not yet handed to the worker (the queue's cursor into <see cref="Inputs"/>).</summary>
    public int NextRow { get; set; }

    public Task<ImmutableArray<ExitResult>> Task => _completion.Task;

    /// <summary>Answered, failed or cancelled: its remaining rows need no more work.</summary>
    public bool IsFinished => _completion.Task.IsCompleted;

    /// <summary>Records row <paramref name="row"/>'s result; answers the request when it was the last row.</summary>
    public void Complete(int row, ExitResult result)
    {
        if (IsFinished) return;
        _results[row] = result;
        if (--_pending == 0) _completion.TrySetResult([.. _results.Select(r => r!)]);
    }

    public bool Cancel(CancellationToken token) => _completion.TrySetCanceled(token);

    public bool Fail(Exception error) => _completion.TrySetException(error);
}
