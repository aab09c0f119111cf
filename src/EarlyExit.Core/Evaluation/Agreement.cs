namespace EarlyExit.Core.Evaluation;

/// <summary>
/// Agreement with the final exit (docs/algorithms.md §4.8): the fraction of samples whose answer
/// where they leave equals the final exit's answer. It needs no label, and it is the measure of a
/// retrofit onto a deployed classifier (§3.5), whose final exit is the deployed model: agreement 1
/// means early exit changed no answer.
/// </summary>
/// <remarks>
/// Agreement = (1/N) Σ_n [ŷ_n = ŷ_n^(M)]: <see cref="Accuracy"/> with the final exit's predictions in
/// place of the labels, so both are computed by the one loop. The final exit agrees with itself, so
/// static truncation at M and any policy that never exits early have agreement 1.
/// </remarks>
public static class Agreement
{
    /// <summary>The fraction of <paramref name="predictions"/> equal to <paramref name="finalPredictions"/>, in [0, 1].</summary>
    /// <param name="predictions">One prediction per sample, at its exit.</param>
    /// <param name="finalPredictions">The final exit's prediction per sample; same length, at least one.</param>
    /// <exception cref="ArgumentException">Empty, or the lengths differ.</exception>
    public static double Of(ReadOnlySpan<int> predictions, ReadOnlySpan<int> finalPredictions) =>
        Accuracy.Of(predictions, finalPredictions);
}
