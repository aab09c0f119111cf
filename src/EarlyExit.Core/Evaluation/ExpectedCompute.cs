using EarlyExit.Core.Traces;

namespace EarlyExit.Core.Evaluation;

/// <summary>
/// The expected compute of early exiting: the mean fraction of the full model's FLOPs a sample
/// actually runs, exit heads included (docs/algorithms.md §4).
/// </summary>
/// <remarks>
/// With each sample's own FLOPs in the trace (<see cref="ExitTrace.HasSampleFlops"/>), expected
/// compute = Σ_n F_n(e_n) / Σ_n F_n(full): the mean FLOPs the samples actually ran over the mean
/// FLOPs of the plain model on the same samples, so a long text that exits late weighs what it
/// cost (<see cref="FromExits"/>). Otherwise, from one mean cost per exit:
/// expected compute = (1/N) Σ_n f(e_n) = Σ_m N_m·f(m) / Σ_m N_m, where e_n is sample n's exit and
/// f(m) = <see cref="ExitTrace.ComputeFraction"/>(m): cumulative FLOPs at exit m over the plain
/// model's FLOPs, or (m + 1)/M when the trace has no FLOPs. With FLOPs it can exceed 1 when
/// samples run to the end: the internal heads are extra work the plain model does not do.
/// Unlike <see cref="SpeedupRatio"/> it is linear in compute, so it averages across data sets.
/// </remarks>
public static class ExpectedCompute
{
    /// <summary>
    /// The expected compute fraction from each sample's exit: Σ_n F_n(e_n) / Σ_n F_n(full) when the
    /// trace holds per-sample FLOPs, else <see cref="Fraction"/> of the exits' histogram.
    /// </summary>
    /// <param name="trace">The trace the exits were taken on.</param>
    /// <param name="exitIndices">e_n, 0-based, one per sample of the trace.</param>
    /// <exception cref="ArgumentException">A length mismatch or an exit out of range.</exception>
    public static double FromExits(ExitTrace trace, ReadOnlySpan<int> exitIndices)
    {
        ArgumentNullException.ThrowIfNull(trace);
        if (exitIndices.Length != trace.SampleCount)
            throw new ArgumentException($"exitIndices has {exitIndices.Length} entries; the trace has {trace.SampleCount} samples", nameof(exitIndices));
        if (!trace.HasSampleFlops)
            return Fraction(trace, ExitHistogram.Count(exitIndices, trace.ExitCount));
        ReadOnlySpan<double> flops = trace.SampleCumulativeFlops, full = trace.SampleFullModelFlops;
        int exits = trace.ExitCount;
        double spent = 0, plain = 0;
        for (int n = 0; n < exitIndices.Length; n++)
        {
            int e = exitIndices[n];
            if ((uint)e >= (uint)exits)
                throw new ArgumentException($"exitIndices[{n}] is {e}; exits are 0..{exits - 1}", nameof(exitIndices));
            spent += flops[(n * exits) + e];
            plain += full[n];
        }
        return spent / plain;
    }

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
