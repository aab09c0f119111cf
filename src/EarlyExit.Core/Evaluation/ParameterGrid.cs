using System.Collections.Immutable;
using EarlyExit.Core.Signals;

namespace EarlyExit.Core.Evaluation;

/// <summary>Builds parameter grids for <see cref="TraceEvaluator.Sweep"/> and <see cref="PolicyFamily"/>.</summary>
public static class ParameterGrid
{
    /// <summary><paramref name="count"/> evenly spaced values from <paramref name="first"/> to <paramref name="last"/>, both included.</summary>
    /// <param name="first">The first value; finite.</param>
    /// <param name="last">The last value; finite (may be below <paramref name="first"/>).</param>
    /// <param name="count">Number of values, ≥ 2.</param>
    /// <exception cref="ArgumentOutOfRangeException">A bound is not finite, or <paramref name="count"/> &lt; 2.</exception>
    public static ImmutableArray<double> Linear(double first, double last, int count)
    {
        RequireFinite(first, nameof(first));
        RequireFinite(last, nameof(last));
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        var values = new double[count];
        for (int i = 0; i < count; i++) values[i] = first + ((last - first) * i / (count - 1));
        values[^1] = last; // exact end point, whatever the rounding
        return [.. values];
    }

    /// <summary>
    /// Thresholds taken from the data: quantiles of <paramref name="signal"/> over the internal
    /// exits (all but the last; the only exit when M = 1) of every sample of the trace.
    /// </summary>
    /// <param name="evaluator">The calibration trace's evaluator (its signals are reused).</param>
    /// <param name="signal">The signal a threshold policy compares with τ.</param>
    /// <param name="count">Number of quantiles, ≥ 2: the q = i/(count − 1) quantiles, i = 0..count − 1.</param>
    /// <returns>Distinct values, ascending, at most <paramref name="count"/> (tied quantiles merge).</returns>
    /// <remarks>
    /// <para>Each quantile is an observed value (nearest rank, index round(q·(L − 1)) of the L
    /// sorted values), not an interpolation, so a threshold "signal ≥ τ" or "≤ τ" at a grid value
    /// includes the sample it came from, and every step of the grid moves at least one sample.</para>
    /// <para>The grid spans the observed range only: to include "never exit early", add a value
    /// beyond it (e.g. above 1 for max-prob).</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="evaluator"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> &lt; 2 or an unknown signal.</exception>
    public static ImmutableArray<double> SignalQuantiles(TraceEvaluator evaluator, ExitSignal signal, int count)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        if (!Enum.IsDefined(signal))
            throw new ArgumentOutOfRangeException(nameof(signal), signal, "unknown exit signal");
        int exits = evaluator.ExitCount;
        int internalExits = Math.Max(1, exits - 1);
        ReadOnlySpan<SignalValues> all = evaluator.Signals;
        var values = new float[evaluator.SampleCount * internalExits];
        int k = 0;
        for (int n = 0; n < evaluator.SampleCount; n++)
        {
            for (int m = 0; m < internalExits; m++) values[k++] = all[(n * exits) + m][signal];
        }
        Array.Sort(values);
        var grid = ImmutableArray.CreateBuilder<double>(count);
        for (int i = 0; i < count; i++)
        {
            int index = (int)Math.Round((double)i / (count - 1) * (values.Length - 1), MidpointRounding.AwayFromZero);
            double value = values[index];
            if (grid.Count == 0 || value != grid[^1]) grid.Add(value);
        }
        return grid.ToImmutable();
    }

    private static void RequireFinite(double value, string name)
    {
        if (!double.IsFinite(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite; got {value}");
    }
}
