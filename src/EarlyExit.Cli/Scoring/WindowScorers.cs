using EarlyExit.Core.Policies;
using EarlyExit.Data.Scoring;

namespace EarlyExit.Cli.Scoring;

/// <summary>One of score's windows: its number and its rows (bad ones included, for the errors file).</summary>
/// <param name="Index">0-based window number: rows before it / the window size.</param>
/// <param name="Rows">The rows, in input order.</param>
internal sealed record ScoreWindow(long Index, IReadOnlyList<ScoreRow> Rows)
{
    /// <summary>The rows that can be classified (found once: a scorer reads it more than once).</summary>
    public IReadOnlyList<ScoreRow> Valid { get; } = [.. Rows.Where(r => r.IsValid)];
}

/// <summary>A window with its answers: one result per valid row, or why there are none.</summary>
/// <param name="Window">The window.</param>
/// <param name="Results">One per valid row, in order; null when <paramref name="Failure"/> says why.</param>
/// <param name="Failure">Why the window could not be classified (a dead-lettered chunk), or null.</param>
internal sealed record ScoredWindow(ScoreWindow Window, IReadOnlyList<ScoreResult>? Results, string? Failure);

/// <summary>Classifies score's windows, handing them back in input order: here, or on workers.</summary>
internal interface IWindowScorer
{
    /// <summary>The windows, each with its answers, in the order given.</summary>
    IEnumerable<ScoredWindow> Score(IEnumerable<ScoreWindow> windows, CancellationToken cancellationToken);

    /// <summary>A few words for the progress line (e.g. the workers seen), or empty.</summary>
    string Status { get; }
}

/// <summary>The one place a classifier's answers become score's results (here and on a worker).</summary>
internal static class ScoreResults
{
    /// <summary>The results of <paramref name="rows"/>: classified as one call, so batches are cut the same way wherever it runs.</summary>
    public static ScoreResult[] Classify(EarlyExitClassifier classifier, ExitPolicy policy, IReadOnlyList<(string Id, string Text)> rows, int maxBatchTokens, int batchSize, bool allProbabilities)
    {
        if (rows.Count == 0) return [];
        var answers = classifier.Classify([.. rows.Select(r => r.Text)], policy, maxBatchTokens, batchSize);
        var results = new ScoreResult[rows.Count];
        for (int i = 0; i < results.Length; i++)
        {
            Classification a = answers[i];
            results[i] = new ScoreResult(rows[i].Id, a.Label, a.Probability, a.LayersExecuted, a.ComputeFraction, allProbabilities ? a.Probabilities : []);
        }
        return results;
    }
}

/// <summary>Classifies each window on this machine's model.</summary>
internal sealed class LocalWindowScorer(EarlyExitClassifier classifier, ExitPolicy policy, ScoreSettings settings) : IWindowScorer
{
    public string Status => "";

    public IEnumerable<ScoredWindow> Score(IEnumerable<ScoreWindow> windows, CancellationToken cancellationToken)
    {
        foreach (ScoreWindow window in windows)
        {
            var rows = window.Valid.Select(r => (r.Id, r.Text!)).ToArray();
            yield return new ScoredWindow(window, ScoreResults.Classify(classifier, policy, rows, settings.MaxBatchTokens, settings.BatchSize, settings.AllProbabilities), null);
        }
    }
}
