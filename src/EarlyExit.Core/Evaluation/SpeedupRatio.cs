namespace EarlyExit.Core.Evaluation;

/// <summary>
/// The layer speed-up ratio of early exiting: how many times fewer layers run than in the full model.
/// </summary>
/// <remarks>
/// <para>Speed-up = Σ_m M·N_m / Σ_m m·N_m, with m = 1..M the 1-based exit (layers executed) and
/// N_m the number of samples leaving at exit m (BEEM §4.1; COSEE eq. 12). All samples at exit 1
/// give M; all at exit M give 1; it always lies in [1, M].</para>
/// <para>It counts layers only: it ignores the cost of the exit heads and of the policy, so
/// reports should give it beside the measured wall-clock speed-up and
/// <see cref="ExpectedCompute"/> (docs/algorithms.md §4). This is the only speed-up formula in the
/// project: not 1 − avg/L, not avg/L.</para>
/// </remarks>
public static class SpeedupRatio
{
    /// <summary>The speed-up ratio from an exits histogram.</summary>
    /// <param name="exitCounts">N_m per 0-based exit (length M ≥ 1), see <see cref="ExitHistogram"/>; not all zero.</param>
    /// <returns>The ratio, in [1, M].</returns>
    /// <exception cref="ArgumentException">Empty, a negative count, or no sample at all.</exception>
    public static double FromExitCounts(ReadOnlySpan<int> exitCounts)
    {
        if (exitCounts.IsEmpty)
            throw new ArgumentException("exitCounts must have one count per exit; got 0 exits", nameof(exitCounts));
        long samples = 0, layers = 0;
        for (int m = 0; m < exitCounts.Length; m++)
        {
            int count = exitCounts[m];
            if (count < 0)
                throw new ArgumentException($"exitCounts[{m}] is {count}; a count cannot be negative", nameof(exitCounts));
            samples += count;
            layers += (long)(m + 1) * count; // m + 1: the 1-based exit of the formula
        }
        if (samples == 0)
            throw new ArgumentException($"exitCounts must count at least one sample; all {exitCounts.Length} counts are 0", nameof(exitCounts));
        return (double)exitCounts.Length * samples / layers;
    }

    /// <summary>The speed-up ratio from each sample's 0-based exit index.</summary>
    /// <param name="exitIndices">One exit index per sample, in [0, M); at least one.</param>
    /// <param name="exitCount">M ≥ 1.</param>
    /// <exception cref="ArgumentException">No sample, or an index out of range.</exception>
    public static double FromExitIndices(ReadOnlySpan<int> exitIndices, int exitCount) =>
        FromExitCounts(ExitHistogram.Count(exitIndices, exitCount));
}
