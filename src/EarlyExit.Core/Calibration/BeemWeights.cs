using System.Collections.Immutable;

namespace EarlyExit.Core.Calibration;

/// <summary>
/// The two weightings of BEEM's exits (BEEM paper §3.3), for <see cref="Policies.BeemPolicy"/>.
/// </summary>
public static class BeemWeights
{
    /// <summary>
    /// BEEM-C, cost weights: w_m = λ·m for m = 1..M (identical layers, so exit m costs m times the
    /// first).
    /// </summary>
    /// <param name="exitCount">M ≥ 1.</param>
    /// <param name="lambda">λ, the cost of one layer; positive and finite. Default 1. BEEM §A.3
    /// tunes it to trade accuracy for speed with the thresholds held fixed.</param>
    /// <returns>w_1..w_M (0-based: index m − 1).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="exitCount"/> &lt; 1 or λ not
    /// positive and finite.</exception>
    public static ImmutableArray<double> Cost(int exitCount, double lambda = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exitCount, 1);
        if (!double.IsFinite(lambda) || lambda <= 0)
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, $"lambda must be positive and finite; got {lambda}");
        var weights = ImmutableArray.CreateBuilder<double>(exitCount);
        for (int m = 1; m <= exitCount; m++)
            weights.Add(lambda * m);
        return weights.MoveToImmutable();
    }

    /// <summary>
    /// BEEM-A, accuracy weights: w_m = the accuracy of exit m on a validation set.
    /// </summary>
    /// <param name="perExitValidationAccuracy">Accuracy of each exit, in [0, 1], one per exit.</param>
    /// <returns>A copy of the accuracies, as weights.</returns>
    /// <exception cref="ArgumentException">No accuracies, or one outside [0, 1] (or NaN); the
    /// message names the exit and the value.</exception>
    public static ImmutableArray<double> Accuracy(IReadOnlyList<double> perExitValidationAccuracy)
    {
        ArgumentNullException.ThrowIfNull(perExitValidationAccuracy);
        if (perExitValidationAccuracy.Count == 0)
            throw new ArgumentException("BEEM-A needs one validation accuracy per exit; got 0", nameof(perExitValidationAccuracy));
        for (int m = 0; m < perExitValidationAccuracy.Count; m++)
        {
            double a = perExitValidationAccuracy[m];
            if (!(a >= 0 && a <= 1)) // also rejects NaN
                throw new ArgumentOutOfRangeException(nameof(perExitValidationAccuracy), a,
                    $"perExitValidationAccuracy[{m}] must be in [0, 1]; got {a}");
        }
        return [.. perExitValidationAccuracy];
    }
}
