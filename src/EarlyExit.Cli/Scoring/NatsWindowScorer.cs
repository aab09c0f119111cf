using EarlyExit.Data.Scoring;
using EarlyExit.Nats;

namespace EarlyExit.Cli.Scoring;

/// <summary>
/// Score's windows answered by workers through JetStream (<c>score --nats</c>): each window is a
/// chunk of its valid rows, published under the job's id and the window's number, and the answers
/// come back in window order (<see cref="ChunkSubmitter"/>), so the output is what a local run writes.
/// </summary>
internal sealed class NatsWindowScorer(ChunkSubmitter submitter, string job, long firstWindow, ChunkSettings settings) : IWindowScorer
{
    public string Status => $", {submitter.WorkersSeen} worker{(submitter.WorkersSeen == 1 ? "" : "s")}"
        + (submitter.Duplicates > 0 ? $", {submitter.Duplicates} repeated answers dropped" : "");

    public IEnumerable<ScoredWindow> Score(IEnumerable<ScoreWindow> windows, CancellationToken cancellationToken)
    {
        // Each window is kept from its publishing until its outcome comes back (at most MaxPending of them).
        var pending = new Dictionary<long, ScoreWindow>();
        IEnumerable<ScoreChunk> Chunks()
        {
            foreach (ScoreWindow window in windows)
            {
                pending[window.Index] = window;
                yield return new ScoreChunk(job, window.Index, window.Rows[0].Index, settings, [.. window.Valid.Select(r => new ChunkRow(r.Id, r.Text!))]);
            }
        }
        foreach (ChunkOutcome outcome in submitter.Score(Chunks(), firstWindow, cancellationToken))
        {
            pending.Remove(outcome.Index, out ScoreWindow? window);
            if (outcome.Answer is { } answer)
            {
                if (answer.Results.Count != window!.Valid.Count)
                    throw new CliException($"worker {answer.Worker} answered chunk {outcome.Index} with {answer.Results.Count} results for {window.Valid.Count} rows; it does not run this earlyexit");
                yield return new ScoredWindow(window, answer.Results, null);
            }
            else
            {
                DeadChunk dead = outcome.Dead!;
                yield return new ScoredWindow(window!, null, $"chunk {dead.Index} was dead-lettered by worker {dead.Worker} after {dead.Deliveries} deliveries: {dead.Reason}");
            }
        }
    }
}
