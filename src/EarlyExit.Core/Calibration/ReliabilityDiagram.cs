using System.Collections.Immutable;

namespace EarlyExit.Core.Calibration;

/// <summary>
/// The reliability diagram of one exit (PCEE paper): the accuracy of held-out calibration
/// samples per equal-width confidence bin, so a new sample's confidence maps to the accuracy of
/// samples that were as confident.
/// </summary>
/// <remarks>
/// <para>Bins: B equal-width bins on [0, 1]; bin b holds b/B ≤ C &lt; (b+1)/B and the last bin
/// also holds C = 1. Edges are the doubles b/(double)B, and <see cref="BinOf"/> places a value
/// that equals an edge in the bin above it exactly, whatever the rounding of C·B.
/// (our choice, docs/algorithms.md §2) B = 10 by default.</para>
/// <para>Empty bins (our choice, docs/algorithms.md §2): <see cref="Accuracy"/> of a confidence that
/// falls in an empty bin is the accuracy of the nearest non-empty bin at lower confidence; if
/// there is none it is NaN, meaning "do not exit" (NaN ≥ δ is false).</para>
/// <para>Smoothing for PCEE-WS (our choice; the paper's exact form is not in our copy): see
/// <see cref="Smooth"/>.</para>
/// <para>Immutable. Counts are kept so a diagram can be saved and rebuilt with
/// <see cref="FromCounts"/>.</para>
/// </remarks>
public sealed class ReliabilityDiagram
{
    /// <summary>The default number of bins, 10 (our choice, docs/algorithms.md §2).</summary>
    public const int DefaultBinCount = 10;

    private readonly int[] _counts;
    private readonly int[] _correct;
    private readonly double[] _accuracy; // per bin; NaN when empty; smoothed when SmoothingHalfWidth > 0
    private readonly double[] _lookup;   // per bin, with the empty-bin rule already applied

    private ReliabilityDiagram(int[] counts, int[] correct, double[] accuracy, int smoothingHalfWidth, double boundLevel = 0)
    {
        _counts = counts;
        _correct = correct;
        _accuracy = accuracy;
        SmoothingHalfWidth = smoothingHalfWidth;
        BoundLevel = boundLevel;
        _lookup = new double[counts.Length];
        // Empty-bin rule, precomputed so a lookup is one index: carry the last non-empty bin up.
        double carried = double.NaN;
        for (int b = 0; b < counts.Length; b++)
        {
            if (counts[b] > 0) carried = accuracy[b];
            _lookup[b] = carried;
        }
        SampleCount = counts.Sum();
    }

    /// <summary>B, the number of equal-width bins on [0, 1].</summary>
    public int BinCount => _counts.Length;

    /// <summary>The number of calibration samples, Σ_b n_b.</summary>
    public int SampleCount { get; }

    /// <summary>0 for a plain diagram; h for one made by <see cref="Smooth"/>.</summary>
    public int SmoothingHalfWidth { get; }

    /// <summary>0 for a diagram of accuracies; γ for one made by <see cref="LowerBounds"/>.</summary>
    public double BoundLevel { get; }

    /// <summary>n_b, calibration samples per bin.</summary>
    public ImmutableArray<int> Counts => [.. _counts];

    /// <summary>Correctly classified calibration samples per bin.</summary>
    public ImmutableArray<int> CorrectCounts => [.. _correct];

    /// <summary>
    /// Accuracy per bin: correct / n_b (smoothed when <see cref="SmoothingHalfWidth"/> &gt; 0);
    /// NaN for an empty bin. No empty-bin rule here; see <see cref="Accuracy"/>.
    /// </summary>
    public ImmutableArray<double> BinAccuracies => [.. _accuracy];

    /// <summary>
    /// Builds a diagram from calibration samples of one exit.
    /// </summary>
    /// <param name="confidences">C of each sample (max-prob), in [0, 1].</param>
    /// <param name="correct">Whether each sample's prediction is right; same length.</param>
    /// <param name="bins">B ≥ 1, default 10.</param>
    /// <exception cref="ArgumentException">Lengths differ, no samples, B &lt; 1, or a confidence
    /// outside [0, 1] (the message names the sample and value).</exception>
    public static ReliabilityDiagram Build(ReadOnlySpan<double> confidences, ReadOnlySpan<bool> correct, int bins = DefaultBinCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (confidences.Length != correct.Length)
            throw new ArgumentException(
                $"confidences has {confidences.Length} entries but correct has {correct.Length}; they must match", nameof(correct));
        if (confidences.IsEmpty)
            throw new ArgumentException("a reliability diagram needs at least one calibration sample; got 0", nameof(confidences));
        var counts = new int[bins];
        var right = new int[bins];
        for (int i = 0; i < confidences.Length; i++)
        {
            double c = confidences[i];
            if (!(c >= 0 && c <= 1))
                throw new ArgumentOutOfRangeException(nameof(confidences), c, $"confidences[{i}] must be in [0, 1]; got {c}");
            int b = BinOf(c, bins);
            counts[b]++;
            if (correct[i]) right[b]++;
        }
        return FromValidatedCounts(counts, right);
    }

    /// <summary>
    /// Rebuilds a plain (unsmoothed) diagram from per-bin counts, e.g. one saved with a model.
    /// </summary>
    /// <param name="counts">n_b per bin (B = its length ≥ 1), each ≥ 0.</param>
    /// <param name="correctCounts">Correct samples per bin, 0 ≤ correct_b ≤ n_b.</param>
    /// <exception cref="ArgumentException">Lengths differ, no bins, or a count out of range.</exception>
    public static ReliabilityDiagram FromCounts(ReadOnlySpan<int> counts, ReadOnlySpan<int> correctCounts)
    {
        if (counts.IsEmpty)
            throw new ArgumentException("a reliability diagram needs at least one bin; got 0", nameof(counts));
        if (counts.Length != correctCounts.Length)
            throw new ArgumentException(
                $"counts has {counts.Length} bins but correctCounts has {correctCounts.Length}; they must match", nameof(correctCounts));
        for (int b = 0; b < counts.Length; b++)
        {
            if (counts[b] < 0)
                throw new ArgumentOutOfRangeException(nameof(counts), counts[b], $"counts[{b}] must be ≥ 0; got {counts[b]}");
            if (correctCounts[b] < 0 || correctCounts[b] > counts[b])
                throw new ArgumentOutOfRangeException(nameof(correctCounts), correctCounts[b],
                    $"correctCounts[{b}] must be between 0 and counts[{b}] = {counts[b]}; got {correctCounts[b]}");
        }
        return FromValidatedCounts(counts.ToArray(), correctCounts.ToArray());
    }

    /// <summary>
    /// The 0-based bin of <paramref name="confidence"/> among <paramref name="binCount"/>
    /// equal-width bins on [0, 1]: b with b/B ≤ C &lt; (b+1)/B; C = 1 goes to the last bin.
    /// Values below 0 go to the first bin, above 1 to the last.
    /// </summary>
    /// <remarks>
    /// ⌊C·B⌋ alone can be off by one at an edge (e.g. (1/49)·49 rounds to 0.99999999999999989),
    /// so the guess is checked against the edges b/(double)B and moved by one if needed.
    /// </remarks>
    /// <param name="confidence">C; NaN is not allowed (it lands in bin 0).</param>
    /// <param name="binCount">B ≥ 1.</param>
    public static int BinOf(double confidence, int binCount)
    {
        int last = binCount - 1;
        double scaled = confidence * binCount;
        if (!(scaled > 0)) return 0;     // also NaN
        if (scaled >= last + 1) return last;
        int b = (int)scaled;
        if (b < last && confidence >= (b + 1) / (double)binCount) return b + 1;
        if (b > 0 && confidence < b / (double)binCount) return b - 1;
        return b;
    }

    /// <summary>
    /// RD(C): the calibration accuracy for a sample of confidence <paramref name="confidence"/>,
    /// with the empty-bin rule (nearest non-empty bin at lower confidence).
    /// </summary>
    /// <param name="confidence">C in [0, 1]; values outside are clamped to the first or last bin.</param>
    /// <returns>An accuracy in [0, 1], or NaN when the bin and every bin below are empty (or
    /// C is NaN): "do not exit".</returns>
    /// <remarks>O(1) and allocation-free: it is called in <see cref="Policies.PceePolicy"/>'s Decide.</remarks>
    public double Accuracy(double confidence) =>
        double.IsNaN(confidence) ? double.NaN : _lookup[BinOf(confidence, _lookup.Length)];

    /// <summary>
    /// The PCEE-WS diagram (our choice): each non-empty bin's accuracy becomes the count-weighted
    /// average over itself and the non-empty bins within <paramref name="halfWidth"/> of it, with a
    /// triangular kernel.
    /// </summary>
    /// <remarks>
    /// acc'_b = Σ_{|j−b| ≤ h} K(j−b)·correct_j / Σ_{|j−b| ≤ h} K(j−b)·n_j with
    /// K(d) = 1 − |d|/(h+1), i.e. the average of acc_j weighted by n_j·K(j−b). A sparse bin then
    /// leans on its neighbours instead of swinging the decision. Empty bins stay empty (the
    /// empty-bin rule of <see cref="Accuracy"/> then applies). Smoothing always starts from the
    /// raw counts, so smoothing a smoothed diagram does not compound; h = 0 gives the plain
    /// accuracies.
    /// </remarks>
    /// <param name="halfWidth">h ≥ 0, in bins.</param>
    /// <returns>A new diagram with the same counts and <see cref="SmoothingHalfWidth"/> = h.</returns>
    /// <exception cref="ArgumentOutOfRangeException">h &lt; 0.</exception>
    public ReliabilityDiagram Smooth(int halfWidth)
    {
        if (halfWidth < 0)
            throw new ArgumentOutOfRangeException(nameof(halfWidth), halfWidth, $"halfWidth must be ≥ 0 bins; got {halfWidth}");
        int bins = _counts.Length;
        var smoothed = new double[bins];
        for (int b = 0; b < bins; b++)
        {
            if (_counts[b] == 0) { smoothed[b] = double.NaN; continue; }
            double numerator = 0, denominator = 0;
            for (int j = Math.Max(0, b - halfWidth); j <= Math.Min(bins - 1, b + halfWidth); j++)
            {
                double k = 1.0 - (Math.Abs(j - b) / (halfWidth + 1.0));
                numerator += k * _correct[j];
                denominator += k * _counts[j];
            }
            smoothed[b] = numerator / denominator; // > 0: bin b itself has K = 1 and n_b > 0
        }
        return new ReliabilityDiagram(_counts, _correct, smoothed, halfWidth);
    }

    /// <summary>
    /// The diagram of PCEE with bounds (our choice, docs/algorithms.md §5): each bin's accuracy
    /// c/n replaced by its one-sided Clopper–Pearson lower bound at level 1 − γ, the γ quantile of
    /// Beta(c, n − c + 1), and 0 when c = 0. A bin of 3 right out of 3 then scores 0.37 at γ = 0.05,
    /// not 1, so sparse bins stop passing δ by luck. A per-bin bound, not a family-wise guarantee.
    /// </summary>
    /// <param name="gamma">γ in (0, 1); 0.05 by default.</param>
    /// <returns>A new diagram with the same counts and <see cref="BoundLevel"/> = γ; empty bins stay empty.</returns>
    /// <exception cref="ArgumentOutOfRangeException">γ outside (0, 1).</exception>
    public ReliabilityDiagram LowerBounds(double gamma = DefaultBoundLevel)
    {
        if (!(gamma > 0 && gamma < 1))
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, $"the bound level γ must be between 0 and 1 (exclusive); got {gamma}");
        var bounds = new double[_counts.Length];
        for (int b = 0; b < bounds.Length; b++)
            bounds[b] = _counts[b] == 0 ? double.NaN : ClopperPearson.Lower(_correct[b], _counts[b], gamma);
        return new ReliabilityDiagram(_counts, _correct, bounds, 0, gamma);
    }

    /// <summary>γ of PCEE with bounds, 0.05 (our choice, docs/algorithms.md §5).</summary>
    public const double DefaultBoundLevel = 0.05;

    private static ReliabilityDiagram FromValidatedCounts(int[] counts, int[] correct)
    {
        var accuracy = new double[counts.Length];
        for (int b = 0; b < counts.Length; b++)
            accuracy[b] = counts[b] == 0 ? double.NaN : correct[b] / (double)counts[b];
        return new ReliabilityDiagram(counts, correct, accuracy, 0);
    }
}
