using System.Collections.Immutable;

namespace EarlyExit.Torch.Training;

/// <summary>Every exit's accuracy (or agreement with the final exit) and cross-entropy on an evaluation set.</summary>
/// <param name="SampleCount">Examples evaluated.</param>
/// <param name="ExitAccuracies">Of exit m (0-based), in [0, 1]: the fraction of examples it gets right, or, when
/// <see cref="Measure"/> is <see cref="ValidationMeasure.Agreement"/>, the fraction where its answer is the final exit's.</param>
/// <param name="ExitLosses">Mean cross-entropy of exit m, in nats, against the labels (or the final exit's answers).</param>
public sealed record ValidationResult(int SampleCount, ImmutableArray<double> ExitAccuracies, ImmutableArray<double> ExitLosses)
{
    /// <summary>What <see cref="ExitAccuracies"/> counts. Default <see cref="ValidationMeasure.Accuracy"/>.</summary>
    public ValidationMeasure Measure { get; init; } = ValidationMeasure.Accuracy;

    /// <summary>
    /// The mean of the exits' accuracies: the trainer keeps the epoch where it is highest
    /// <b>(our choice)</b>, since an early-exit model is only as good as the exits it stops at,
    /// not its last exit alone.
    /// </summary>
    public double MeanAccuracy => ExitAccuracies.IsDefaultOrEmpty ? 0 : ExitAccuracies.Average();
}

/// <summary>What a validation pass counts per exit.</summary>
public enum ValidationMeasure
{
    /// <summary>Answers equal to the labels.</summary>
    Accuracy,

    /// <summary>Answers equal to the final exit's (docs/algorithms.md §4.8): what a label-free objective is chosen on.</summary>
    Agreement,
}
