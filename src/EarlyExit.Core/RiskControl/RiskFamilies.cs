using System.Collections.Immutable;
using EarlyExit.Core.Calibration;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;

namespace EarlyExit.Core.RiskControl;

/// <summary>
/// The policy families Learn-then-Test can control, each with a grid fixed before any data is
/// seen and ordered from the most compute to the least (docs/algorithms.md §5).
/// </summary>
/// <remarks>
/// <para>Only families whose policy carries no state fitted on data: the test's guarantee needs
/// the losses at every λ to be computed on samples nothing else was fitted on. PCEE's diagrams are
/// fitted on the validation set, so PCEE δ would need its own split; its per-bin Clopper–Pearson
/// variant (<c>pcee-cp</c>) is the bounded PCEE instead. BEEM-C's weights w_m = λ·m are fixed by
/// the model's depth, so its shared α qualifies; BEEM-A's are validation accuracies and do not.</para>
/// <para>Grids (our choice): max-prob τ_j = 1 − 10^(−6 + 6j/(G−1)), j = 0..G−1 (dense near 1, where
/// confident models put their mass); normalised entropy τ_j = 10^(−6 + 6j/(G−1)) (exit when ≤ τ);
/// BEEM-C α from Σ_m w_m down to 0 in G steps; patience P from M down to 1. G = 241.</para>
/// </remarks>
public static class RiskFamilies
{
    /// <summary>G, the grid size of the continuous families.</summary>
    public const int GridSize = 241;

    /// <summary>The family used when the user names none: max-prob, the most common exit rule.</summary>
    public const string DefaultFamily = "max-prob";

    /// <summary>The names <see cref="Create"/> takes.</summary>
    public static ImmutableArray<string> Names { get; } =
        [ThresholdPolicy.NameOf(ExitSignal.MaxProb), ThresholdPolicy.NameOf(ExitSignal.NormalizedEntropy), BeemPolicy.CostName, "patience"];

    /// <summary>The family named <paramref name="name"/> with its grid in test order.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="calibration">The model's calibration (BEEM-C's weights); may be null for the others.</param>
    /// <param name="exitCount">M.</param>
    /// <exception cref="ArgumentException">A name not in <see cref="Names"/>; the message lists them and says why PCEE is not.</exception>
    public static PolicyFamily Create(string name, ExitCalibration? calibration, int exitCount)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(exitCount, 1);
        string? known = Names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        if (known is null)
            throw new ArgumentException(
                $"risk control cannot test policy '{name}'; it tests {string.Join(", ", Names)} (policies with nothing fitted on the calibration data)", nameof(name));
        ImmutableArray<double> grid = known switch
        {
            "max-prob" => [.. Decades().Select(d => 1 - d)],
            "normalized-entropy" => Decades(),
            "patience" => [.. Enumerable.Range(1, exitCount).Reverse().Select(p => (double)p)],
            _ => ParameterGrid.Linear(BeemTop(calibration), 0, GridSize),
        };
        return new PolicyFamily(known, p => PolicyCatalog.Create(new PolicySpec(known, p), calibration, exitCount), grid);
    }

    // 10^(−6) … 10^0 in G log-even steps, smallest first.
    private static ImmutableArray<double> Decades() =>
        [.. Enumerable.Range(0, GridSize).Select(j => Math.Pow(10, -6 + (6.0 * j / (GridSize - 1))))];

    private static double BeemTop(ExitCalibration? calibration) =>
        calibration?.BeemCost.Weights.Sum()
        ?? throw new ArgumentException($"policy '{BeemPolicy.CostName}' needs the model's calibration (its weights)", nameof(calibration));
}
