namespace EarlyExit.Server.Scheduling;

/// <summary>
/// Which rows of a layer's pool one depth-pooled step takes: the token budget per step. Rows of
/// different segments run joined, padded to the widest segment taken, so a step costs
/// rows × width padded tokens (<see cref="ServerOptions.MaxBatchTokens"/> bounds it, as it bounds
/// the batches of the static scheduler and of <c>score</c>). Pure, so the rule can be tested by hand.
/// </summary>
/// <remarks>
/// Segments are visited oldest first. The oldest always runs (at least one row: a row wider than
/// the budget runs alone); each later segment gives as many of its first rows as still fit under
/// both the row limit and the budget at the width the step would then have, and is skipped when
/// none fit (a wide segment waits until it is the oldest; none waits for ever).
/// </remarks>
internal static class StepBudget
{
    /// <summary>Chooses the rows to take.</summary>
    /// <param name="rows">Each segment's rows, oldest segment first; at least one segment, each ≥ 1.</param>
    /// <param name="widths">Each segment's padded width in tokens, ≥ 1.</param>
    /// <param name="maxRows">Most rows per step (<see cref="ServerOptions.MaxBatchSize"/>), ≥ 1.</param>
    /// <param name="maxTokens">Most padded tokens per step, ≥ 1.</param>
    /// <returns>For each segment, how many of its first rows run (0: none).</returns>
    public static int[] Take(ReadOnlySpan<int> rows, ReadOnlySpan<int> widths, int maxRows, int maxTokens)
    {
        var take = new int[rows.Length];
        int taken = 0, width = 0;
        for (int i = 0; i < rows.Length && taken < maxRows; i++)
        {
            int stepWidth = Math.Max(width, widths[i]);
            int fit = Math.Min(maxRows, maxTokens / stepWidth) - taken;
            if (i == 0) fit = Math.Max(fit, 1);
            int k = Math.Min(rows[i], fit);
            if (k <= 0) continue;
            take[i] = k;
            taken += k;
            width = stepWidth;
        }
        return take;
    }
}
