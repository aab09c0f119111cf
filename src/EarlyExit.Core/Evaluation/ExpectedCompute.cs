using EarlyExit.Core.Traces;

namespace EarlyExit.Core.Evaluation;

/// <summary>
/// The expected compute of early exiting: the mean fraction of the full model's FLOPs a sample
/// actually runs, exit heads included (docs/algorithms.md §4).
/// </summary>
/// <remarks>
/// Expected compute = (1/N) Σ_n f(e_n) = Σ_m N_m·f(m) / Σ_m N_m, where e_n is sample n's exit and
/// f(m) = <see cref="ExitTrace.ComputeFraction"/>(m): cumulative FLOPs at exit m over the plain
/// model's FLOPs, or (m + 1)/M when the trace has no FLOPs. With FLOPs it can exceed 1 when
/// samples run to the end: the internal heads are extra work the plain model does not do.
/// Unlike <see cref="SpeedupRatio"/> it is linear in compute, so it averages across data sets.
/// </remarks>
public static class ExpectedCompute
{
    /// <summary>The expected compute fraction from an exits histogram and the trace's per-exit costs.</summary>
    /// <param name="trace">Gives f(m) = <see cref="ExitTrace.ComputeFraction"/>(m).</param>
    /// <param name="exitCounts">N_m per 0-based exit, length <see cref="ExitTrace.ExitCount"/>; not all zero.</param>
    /// <exception cref="ArgumentNullException"><paramref name="trace"/> is null.</exception>
    /// <exception cref="ArgumentException">A length mismatch, a negative count, or no sample.</exception>
    public static double Fraction(ExitTrace trace, ReadOnlySpan<int> exitCounts)
    {
        ArgumentNullException.ThrowIfNull(trace);
        if (exitCounts.Length != trace.ExitCount)
            throw new ArgumentException(
                $"exitCounts has {exitCounts.Length} entries; the trace has {trace.ExitCount} exits", nameof(exitCounts));
        long samples = 0;
        double compute = 0;
        for (int m = 0; m < exitCounts.Length; m++)
        {
            int count = exitCounts[m];
            if (count < 0)
                throw new ArgumentException($"exitCounts[{m}] is {count}; a count cannot be negative", nameof(exitCounts));
            samples += count;
            compute += count * trace.ComputeFraction(m);
        }
        if (samples == 0)
            throw new ArgumentException($"exitCounts must count at least one sample; all {exitCounts.Length} counts are 0", nameof(exitCounts));
        return compute / samples;
    }
}
