using EarlyExit.Core.Signals;

namespace EarlyExit.Core.Evaluation;

/// <summary>
/// Difficulty inversion score (DIS) of an exit signal at one exit: how well the signal orders
/// correctly classified samples before wrongly classified ones (docs/algorithms.md §4).
/// </summary>
/// <remarks>
/// <para><b>(our definition)</b>, after Li et al. 2021: over every pair (a sample the exit gets
/// right, a sample it gets wrong), the fraction where the right one looks easier, ties counted
/// half; that is the AUROC of the signal as a score for correctness. 1 = the signal separates
/// right from wrong perfectly; 0.5 = no better than chance; below 0.5 = inverted (wrong samples
/// look easier, the failure the name refers to).</para>
/// <para>"Looks easier" means a higher confidence (max-prob) or a lower uncertainty (entropy,
/// normalised entropy, energy, normalised energy); see <see cref="ExitSignals.IsConfidence"/>.</para>
/// <para>Computed by the rank-sum (Mann–Whitney) formula in O(N log N), not over the N² pairs:
/// with s = the signal oriented so higher is easier, rank all N values ascending, tied values
/// sharing their mean rank; with R = the sum of the ranks of the n₊ right samples and n₋ wrong
/// ones, AUROC = (R − n₊(n₊ + 1)/2) / (n₊·n₋). It is NaN when either group is empty (no pair).</para>
/// </remarks>
public static class DifficultyInversionScore
{
    /// <summary>DIS of a signal at one exit.</summary>
    /// <param name="values">The signal's value for each sample at the exit; finite.</param>
    /// <param name="correct">Whether the exit's prediction is right, per sample; same length, at least one.</param>
    /// <param name="signal">Which signal the values are, for its orientation.</param>
    /// <returns>The AUROC in [0, 1], or NaN when every sample is right or every one wrong.</returns>
    /// <exception cref="ArgumentException">Empty, lengths differ, or a NaN value.</exception>
    public static double Compute(ReadOnlySpan<float> values, ReadOnlySpan<bool> correct, ExitSignal signal) =>
        Compute(values, correct, higherIsEasier: ExitSignals.IsConfidence(signal));

    /// <summary>DIS of any per-sample score at one exit.</summary>
    /// <param name="values">The score for each sample; finite or infinite, never NaN.</param>
    /// <param name="correct">Whether the exit's prediction is right, per sample; same length, at least one.</param>
    /// <param name="higherIsEasier">True when a higher value means the sample looks easier (a confidence).</param>
    /// <inheritdoc cref="Compute(ReadOnlySpan{float}, ReadOnlySpan{bool}, ExitSignal)"/>
    public static double Compute(ReadOnlySpan<float> values, ReadOnlySpan<bool> correct, bool higherIsEasier)
    {
        MeasureArguments.RequireSameNonEmpty(values.Length, correct.Length, nameof(values), nameof(correct));
        var keys = new float[values.Length];
        var rightFlags = correct.ToArray();
        int right = 0;
        for (int n = 0; n < values.Length; n++)
        {
            float value = values[n];
            if (float.IsNaN(value))
                throw new ArgumentException($"values[{n}] is NaN; a signal must be a number to rank", nameof(values));
            keys[n] = higherIsEasier ? value : -value; // orient: higher key = looks easier
            if (rightFlags[n]) right++;
        }
        int wrong = values.Length - right;
        if (right == 0 || wrong == 0)
            return double.NaN;

        Array.Sort(keys, rightFlags);
        // Walk groups of equal keys; positions start..end−1 hold 1-based ranks start+1..end, mean (start+1+end)/2.
        double rankSum = 0;
        for (int start = 0; start < keys.Length;)
        {
            int end = start + 1;
            while (end < keys.Length && keys[end] == keys[start]) end++;
            int rightInGroup = 0;
            for (int i = start; i < end; i++)
            {
                if (rightFlags[i]) rightInGroup++;
            }
            rankSum += rightInGroup * ((start + 1 + end) / 2.0);
            start = end;
        }
        double u = rankSum - (right * (right + 1.0) / 2.0);
        return u / ((double)right * wrong);
    }
}
