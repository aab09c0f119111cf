using System.Collections.Immutable;

namespace EarlyExit.Torch.Training;

/// <summary>Every exit's accuracy and cross-entropy on an evaluation set.</summary>
/// <param name="SampleCount">Examples evaluated.</param>
/// <param name="ExitAccuracies">Accuracy of exit m (0-based), in [0, 1].</param>
/// <param name="ExitLosses">Mean cross-entropy of exit m, in nats.</param>
public sealed record ValidationResult(int SampleCount, ImmutableArray<double> ExitAccuracies, ImmutableArray<double> ExitLosses)
{
    /// <summary>
    /// The mean of the exits' accuracies: the trainer keeps the epoch where it is highest
    /// <b>(our choice)</b>, since an early-exit model is only as good as the exits it stops at,
    /// not its last exit alone.
    /// </summary>
    public double MeanAccuracy => ExitAccuracies.IsDefaultOrEmpty ? 0 : ExitAccuracies.Average();
}
