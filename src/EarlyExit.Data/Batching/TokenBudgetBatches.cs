using System.Collections.Immutable;

namespace EarlyExit.Data.Batching;

/// <summary>
/// Batches cut by tokens, not by count (what Hugging Face's text-embeddings-inference does with
/// <c>max-batch-tokens</c>): a window of tokenized rows is sorted by length and cut so that each
/// batch's padded size, rows × its longest row, stays within a budget. Rows of like length run
/// together, so little compute goes to padding; the results go back in input order.
/// </summary>
/// <remarks>
/// Greedy over the rows in ascending length (ties keep their input order): a row joins the open
/// batch while (rows + 1) × its length ≤ the budget and the batch has fewer than the row limit;
/// otherwise it opens the next batch. Sorted ascending, the row being added is the batch's longest,
/// so the check is exact. A row longer than the budget cannot share: it runs alone.
/// </remarks>
public static class TokenBudgetBatches
{
    /// <summary>The batches of a window: each an array of row indices into <paramref name="lengths"/>, shortest rows first.</summary>
    /// <param name="lengths">Each row's token count (≥ 1), in input order.</param>
    /// <param name="maxBatchTokens">The budget: rows × longest row per batch, ≥ 1.</param>
    /// <param name="maxBatchRows">The most rows a batch may hold, ≥ 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A length, the budget or the row limit below 1.</exception>
    public static ImmutableArray<ImmutableArray<int>> Plan(ReadOnlySpan<int> lengths, int maxBatchTokens, int maxBatchRows = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchRows, 1);
        int[] order = new int[lengths.Length];
        int[] keys = new int[lengths.Length];
        for (int i = 0; i < order.Length; i++)
        {
            if (lengths[i] < 1)
                throw new ArgumentOutOfRangeException(nameof(lengths), lengths[i], $"lengths[{i}] is {lengths[i]}; a row holds at least one token");
            order[i] = i;
            keys[i] = lengths[i];
        }
        // Array.Sort is not stable: sort on (length, index) so equal lengths keep their input order.
        Array.Sort(order, (a, b) => keys[a] != keys[b] ? keys[a].CompareTo(keys[b]) : a.CompareTo(b));

        var batches = ImmutableArray.CreateBuilder<ImmutableArray<int>>();
        var open = ImmutableArray.CreateBuilder<int>();
        foreach (int row in order)
        {
            long padded = (long)(open.Count + 1) * keys[row];
            if (open.Count > 0 && (padded > maxBatchTokens || open.Count >= maxBatchRows))
            {
                batches.Add(open.ToImmutable());
                open.Clear();
            }
            open.Add(row);
        }
        if (open.Count > 0) batches.Add(open.ToImmutable());
        return batches.ToImmutable();
    }

    /// <summary>
    /// Runs <paramref name="run"/> on each planned batch and puts its results back in input order.
    /// </summary>
    /// <typeparam name="TResult">One row's result.</typeparam>
    /// <param name="lengths">Each row's token count, in input order.</param>
    /// <param name="maxBatchTokens">The budget (see <see cref="Plan"/>).</param>
    /// <param name="maxBatchRows">The row limit.</param>
    /// <param name="run">Given a batch's row indices, returns one result per index, in that order.</param>
    /// <returns>The results, one per row, in input order.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="run"/> returned a different number of results than rows.</exception>
    public static TResult[] RunInOrder<TResult>(ReadOnlySpan<int> lengths, int maxBatchTokens, int maxBatchRows,
        Func<ImmutableArray<int>, IReadOnlyList<TResult>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var results = new TResult[lengths.Length];
        foreach (ImmutableArray<int> batch in Plan(lengths, maxBatchTokens, maxBatchRows))
        {
            IReadOnlyList<TResult> answers = run(batch);
            if (answers.Count != batch.Length)
                throw new InvalidOperationException($"a batch of {batch.Length} rows gave {answers.Count} results");
            for (int i = 0; i < batch.Length; i++) results[batch[i]] = answers[i];
        }
        return results;
    }
}
