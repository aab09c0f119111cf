namespace EarlyExit.Core.Evaluation;

/// <summary>Macro-averaged F1 of predictions (docs/algorithms.md §4).</summary>
/// <remarks>
/// <para>For each class c: F1_c = 2·TP_c / (2·TP_c + FP_c + FN_c), the harmonic mean of precision
/// and recall written so that it needs no 0/0. Macro-F1 is the unweighted mean of F1_c over the
/// classes, so a rare class counts as much as a common one.</para>
/// <para><b>(our choice)</b> A class with no support and no predictions (TP = FP = FN = 0) is
/// skipped: it says nothing about the predictions on this data, and counting it as 0 or 1 would
/// move the mean by an amount that depends only on how many classes the label set has. A class
/// that is predicted but absent (FP &gt; 0), or present but never predicted (FN &gt; 0), counts as 0.
/// This matches scikit-learn's f1_score(average="macro") with its default label set (every class
/// found in the labels or the predictions).</para>
/// </remarks>
public static class MacroF1
{
    /// <summary>Macro-F1 of <paramref name="predictions"/> against <paramref name="labels"/>, in [0, 1].</summary>
    /// <param name="predictions">One predicted class per sample, each in [0, <paramref name="classCount"/>).</param>
    /// <param name="labels">One true class per sample; same length, at least one.</param>
    /// <param name="classCount">C ≥ 1.</param>
    /// <exception cref="ArgumentException">Empty, lengths differ, or a class out of range.</exception>
    public static double Of(ReadOnlySpan<int> predictions, ReadOnlySpan<int> labels, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        MeasureArguments.RequireSameNonEmpty(predictions.Length, labels.Length, nameof(predictions), nameof(labels));
        MeasureArguments.RequireClasses(predictions, classCount, nameof(predictions));
        MeasureArguments.RequireClasses(labels, classCount, nameof(labels));

        // predicted[c] = TP_c + FP_c, actual[c] = TP_c + FN_c, so 2TP + FP + FN = TP + predicted + actual.
        var truePositives = new int[classCount];
        var predicted = new int[classCount];
        var actual = new int[classCount];
        for (int n = 0; n < labels.Length; n++)
        {
            predicted[predictions[n]]++;
            actual[labels[n]]++;
            if (predictions[n] == labels[n]) truePositives[labels[n]]++;
        }
        double sum = 0;
        int counted = 0;
        for (int c = 0; c < classCount; c++)
        {
            int denominator = predicted[c] + actual[c]; // 2TP + FP + FN
            if (denominator == 0) continue; // (our choice) no support, no predictions: skipped
            sum += 2.0 * truePositives[c] / denominator;
            counted++;
        }
        return sum / counted; // counted ≥ 1: at least one sample has a label
    }
}
