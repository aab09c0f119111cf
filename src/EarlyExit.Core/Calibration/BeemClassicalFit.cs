using System.Collections.Immutable;
using EarlyExit.Core.Policies;

namespace EarlyExit.Core.Calibration;

/// <summary>
/// The single threshold chosen by BEEM's "classical" method (BEEM paper §3.4, item 1), with every
/// candidate's validation accuracy and speed-up so the trade-off can be reported.
/// </summary>
/// <param name="Chosen">The chosen α and its validation results.</param>
/// <param name="MeetsSpeedupTarget">False when no candidate reached <paramref name="MinSpeedup"/>;
/// <paramref name="Chosen"/> is then the fastest candidate.</param>
/// <param name="MinSpeedup">The speed-up target the choice was made under (1 = none).</param>
/// <param name="Weights">w_1..w_M the candidates were evaluated with.</param>
/// <param name="Candidates">Every α of the search set, ascending.</param>
public sealed record BeemClassicalFit(
    BeemThresholdCandidate Chosen,
    bool MeetsSpeedupTarget,
    double MinSpeedup,
    ImmutableArray<double> Weights,
    ImmutableArray<BeemThresholdCandidate> Candidates)
{
    /// <summary>The BEEM policy with these weights and the chosen α at every exit.</summary>
    /// <param name="name">The variant's name, e.g. <see cref="BeemPolicy.CostName"/>.</param>
    public BeemPolicy ToPolicy(string name) => new(name, Weights, [Chosen.Threshold]);
}
