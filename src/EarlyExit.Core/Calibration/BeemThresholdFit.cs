using System.Collections.Immutable;
using EarlyExit.Core.Policies;

namespace EarlyExit.Core.Calibration;

/// <summary>
/// Per-exit thresholds chosen by BEEM eq. 3 (<see cref="BeemThresholds.FromErrorRates(ReadOnlySpan{Signals.SignalValues}, ReadOnlySpan{int}, int, IReadOnlyList{double}, IReadOnlyList{double}, int)"/>).
/// </summary>
/// <param name="FinalExitError">p, the validation error rate of the final exit, in [0, 1].</param>
/// <param name="Weights">w_1..w_M the thresholds were chosen for (they change S_m, so the
/// thresholds belong to these weights).</param>
/// <param name="Exits">One entry per exit, in order; see <see cref="BeemExitThreshold"/>.</param>
/// <param name="MinCount">The minimum number of stopping samples an α needed.</param>
public sealed record BeemThresholdFit(
    double FinalExitError,
    ImmutableArray<double> Weights,
    ImmutableArray<BeemExitThreshold> Exits,
    int MinCount)
{
    /// <summary>α_1..α_M, ready for <see cref="BeemPolicy"/> (+∞ = never exit there; α_M = 0).</summary>
    public ImmutableArray<double> Thresholds => Exits.Select(e => e.Threshold).ToImmutableArray();

    /// <summary>The BEEM policy with these weights and per-exit thresholds.</summary>
    /// <param name="name">The variant's name, e.g. <see cref="BeemPolicy.AccuracyName"/>.</param>
    public BeemPolicy ToPolicy(string name) => new(name, Weights, Thresholds);
}
