using System.Collections.Immutable;
using EarlyExit.Core.Evaluation;

namespace EarlyExit.Cli.Evaluation;

/// <summary>Every policy of the catalog on one split: what <c>evaluate</c> prints and <c>report</c> plots.</summary>
/// <param name="Split">"test" or "validation".</param>
/// <param name="SampleCount">N, samples of the split.</param>
/// <param name="PerExitAccuracy">Accuracy of each exit on the split (everyone forced out there), length M.</param>
/// <param name="Rows">One row per (policy, parameter), in catalog order.</param>
/// <param name="Curves">Each one-parameter family swept over its whole grid (built on validation) on the split: the trade-off curves.</param>
public sealed record EvaluationResult(string Split, int SampleCount, ImmutableArray<double> PerExitAccuracy,
    ImmutableArray<EvaluationRow> Rows, ImmutableArray<TradeoffCurve> Curves)
{
    /// <summary>M, the number of exits.</summary>
    public int ExitCount => PerExitAccuracy.Length;

    /// <summary>Agreement of each exit with the final exit on the split (docs/algorithms.md §4.8), length M; empty when not measured.</summary>
    public ImmutableArray<double> PerExitAgreement { get; init; } = [];

    /// <summary>
    /// The difficulty inversion score (docs/algorithms.md §4.5: the AUROC of a signal as a score for
    /// the exit being right) per exit, then per signal in <see cref="Core.Signals.ExitSignal"/> order,
    /// on the split; empty when not measured.
    /// </summary>
    public ImmutableArray<ImmutableArray<double>> DifficultyInversion { get; init; } = [];

    /// <summary>What the model's PCEE δ counts (its calibration's target).</summary>
    public Core.Calibration.PceeTarget PceeTarget { get; init; } = Core.Calibration.PceeTarget.Correctness;

    /// <summary>Accuracy of the final exit: the model without early exit.</summary>
    public double FinalExitAccuracy => PerExitAccuracy[^1];
}
