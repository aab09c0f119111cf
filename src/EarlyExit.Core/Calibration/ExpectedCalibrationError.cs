using System.Collections.Immutable;
using EarlyExit.Core.Signals;

namespace EarlyExit.Core.Calibration;

/// <summary>
/// Expected calibration error (docs/algorithms.md §4): how far an exit's confidence is from its accuracy.
/// </summary>
/// <remarks>
/// ECE = Σ_b (n_b / N)·|acc_b − conf_b| over B equal-width confidence bins on [0, 1], with acc_b
/// the accuracy and conf_b the mean confidence of the n_b samples in bin b; empty bins add 0.
/// Bins are those of <see cref="ReliabilityDiagram.BinOf"/> (the last bin holds C = 1).
/// 15 bins by default, the usual choice (Guo et al., 2017).
/// </remarks>
public static class ExpectedCalibrationError
{
    /// <summary>The default number of bins, 15.</summary>
    public const int DefaultBinCount = 15;

    /// <summary>ECE of one exit.</summary>
    /// <param name="confidences">C of each sample, in [0, 1].</param>
    /// <param name="correct">Whether each sample's prediction is right; same length.</param>
    /// <param name="bins">B ≥ 1, default 15.</param>
    /// <returns>ECE in [0, 1].</returns>
    /// <exception cref="ArgumentException">Lengths differ, no samples, B &lt; 1, or a confidence
    /// outside [0, 1].</exception>
    public static double Compute(ReadOnlySpan<double> confidences, ReadOnlySpan<bool> correct, int bins = DefaultBinCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (confidences.Length != correct.Length)
            throw new ArgumentException(
                $"confidences has {confidences.Length} entries but correct has {correct.Length}; they must match", nameof(correct));
        if (confidences.IsEmpty)
            throw new ArgumentException("ECE needs at least one sample; got 0", nameof(confidences));
        var count = new int[bins];
        var right = new int[bins];
        var confidenceSum = new double[bins];
        for (int i = 0; i < confidences.Length; i++)
        {
            double c = confidences[i];
            if (!(c >= 0 && c <= 1))
                throw new ArgumentOutOfRangeException(nameof(confidences), c, $"confidences[{i}] must be in [0, 1]; got {c}");
            int b = ReliabilityDiagram.BinOf(c, bins);
            count[b]++;
            confidenceSum[b] += c;
            if (correct[i]) right[b]++;
        }
        double ece = 0;
        for (int b = 0; b < bins; b++)
        {
            if (count[b] == 0) continue;
            // (n_b/N)·|acc_b − conf_b| = |correct_b − Σ conf| / N
            ece += Math.Abs(right[b] - confidenceSum[b]);
        }
        return ece / confidences.Length;
    }

    /// <summary>ECE of every exit, from max-prob confidences.</summary>
    /// <param name="signals">Signals, N × M row-major [sample][exit].</param>
    /// <param name="labels">N true labels (≥ 0).</param>
    /// <param name="exitCount">M ≥ 1.</param>
    /// <param name="bins">B ≥ 1, default 15.</param>
    /// <returns>M values, in exit order.</returns>
    /// <exception cref="ArgumentException">Shapes disagree, a label is negative, or B &lt; 1.</exception>
    public static ImmutableArray<double> PerExit(ReadOnlySpan<SignalValues> signals, ReadOnlySpan<int> labels,
        int exitCount, int bins = DefaultBinCount)
    {
        int n = SignalTable.Validate(signals, labels, exitCount);
        var confidences = new double[n];
        var correct = new bool[n];
        var result = ImmutableArray.CreateBuilder<double>(exitCount);
        for (int m = 0; m < exitCount; m++)
        {
            for (int i = 0; i < n; i++)
            {
                var s = signals[(i * exitCount) + m];
                confidences[i] = s.MaxProb;
                correct[i] = s.Prediction == labels[i];
            }
            result.Add(Compute(confidences, correct, bins));
        }
        return result.MoveToImmutable();
    }
}
