using EarlyExit.Data.Batching;
using EarlyExit.Core.Policies;
using EarlyExit.Data.Tokenization;
using EarlyExit.Server.Telemetry;
using EarlyExit.Torch.Runtime;

namespace EarlyExit.Server.Scheduling;

/// <summary>
/// Static batching, the baseline depth-pooled batching is measured against: collect up to a
/// batch of inputs (waiting at most <see cref="ServerOptions.MaxQueueDelay"/> after the first),
/// run them through <see cref="EarlyExitRuntime{TInput}"/> together, and take the next batch only
/// when every row of this one has exited. With a batch size of 1 it is the plain early-exit
/// runtime serving one input at a time (<see cref="BatchingMode.Single"/>).
/// </summary>
/// <remarks>
/// Rows that exit early leave the runtime's batch (it compacts), but their slots stay empty until
/// the whole batch is done, so the later layers run on ever smaller batches. Inputs of requests
/// with different policies run as separate runtime calls, one per policy.
/// </remarks>
public sealed class StaticBatchScheduler : InferenceScheduler
{
    /// <summary>Creates the scheduler and starts its worker.</summary>
    /// <param name="model">The model; the worker is its only user from now on.</param>
    /// <param name="tokenizer">The tokenizer the model was trained with.</param>
    /// <param name="options">Validated options.</param>
    /// <param name="metrics">The server's metrics.</param>
    /// <param name="batchSize">Rows per batch, ≥ 1; 1 for one input at a time.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is below 1.</exception>
    public StaticBatchScheduler(IMultiExitModel<TokenBatch> model, TextTokenizer tokenizer, ServerOptions options, ServerMetrics metrics, int batchSize)
        : this(model, tokenizer, options, metrics, batchSize, start: true)
    {
    }

    internal StaticBatchScheduler(IMultiExitModel<TokenBatch> model, TextTokenizer tokenizer, ServerOptions options, ServerMetrics metrics,
        int batchSize, bool start)
        : base(model, tokenizer, options, metrics, Checked(batchSize), start)
    {
    }

    /// <inheritdoc/>
    private protected override void Run()
    {
        var rows = new List<QueuedRow>();
        while (Queue.WaitForBatch(BatchSize, Options.MaxQueueDelay, rows))
        {
            RunBatch(rows);
            rows.Clear();
        }
    }

    private void RunBatch(List<QueuedRow> rows)
    {
        foreach (IGrouping<ExitPolicy, QueuedRow> group in rows.Where(r => !r.Job.IsFinished).GroupBy(r => r.Job.Policy))
        {
            QueuedRow[] all = [.. group];
            // Sorted by length and cut under the token budget, so a short request does not pay for a long one's padding.
            foreach (var planned in TokenBudgetBatches.Plan([.. all.Select(r => r.Input.Length)], Options.MaxBatchTokens, all.Length))
            {
                QueuedRow[] members = [.. planned.Select(i => all[i])];
                try
                {
                    TokenBatch batch = Tokenizer.Collate([.. members.Select(r => r.Input)]);
                    var results = new EarlyExitRuntime<TokenBatch>(Model, group.Key).Run(batch, Metrics.LayerCall);
                    for (int i = 0; i < members.Length; i++) members[i].Answer(results[i], Metrics);
                }
                catch (Exception e)
                {
                    foreach (QueuedRow row in members) row.Job.Fail(e);
                }
            }
        }
        Queue.Release(rows.Count);
    }

    private static int Checked(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return batchSize;
    }
}
