namespace EarlyExit.Core.Evaluation;

/// <summary>Accuracy of predictions: the fraction equal to the label (docs/algorithms.md §4).</summary>
/// <remarks>Accuracy = (1/N) Σ_n [ŷ_n = y_n], over the predictions at each sample's exit.</remarks>
public static class Accuracy
{
    /// <summary>The fraction of <paramref name="predictions"/> equal to <paramref name="labels"/>, in [0, 1].</summary>
    /// <param name="predictions">One predicted class per sample.</param>
    /// <param name="labels">One true class per sample; same length, at least one.</param>
    /// <exception cref="ArgumentException">Empty, or the lengths differ.</exception>
    public static double Of(ReadOnlySpan<int> predictions, ReadOnlySpan<int> labels)
    {
        MeasureArguments.RequireSameNonEmpty(predictions.Length, labels.Length, nameof(predictions), nameof(labels));
        int correct = 0;
        for (int n = 0; n < labels.Length; n++)
        {
            if (predictions[n] == labels[n]) correct++;
        }
        return (double)correct / labels.Length;
    }
}
