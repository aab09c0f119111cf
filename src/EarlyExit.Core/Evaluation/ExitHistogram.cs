namespace EarlyExit.Core.Evaluation;

/// <summary>
/// Counts how many samples leave at each exit: N_m of docs/algorithms.md §4, the input of
/// <see cref="SpeedupRatio"/> and <see cref="ExpectedCompute"/>.
/// </summary>
public static class ExitHistogram
{
    /// <summary>Counts the samples leaving at each exit.</summary>
    /// <param name="exitIndices">One 0-based exit index per sample, each in [0, <paramref name="exitCount"/>).</param>
    /// <param name="exitCount">M ≥ 1.</param>
    /// <returns>M counts; entry m is the number of samples that left at 0-based exit m.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="exitCount"/> &lt; 1.</exception>
    /// <exception cref="ArgumentException">An exit index is out of range; the message names the sample and value.</exception>
    public static int[] Count(ReadOnlySpan<int> exitIndices, int exitCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exitCount, 1);
        var counts = new int[exitCount];
        for (int n = 0; n < exitIndices.Length; n++)
        {
            int exit = exitIndices[n];
            if ((uint)exit >= (uint)exitCount)
                throw new ArgumentException($"exit index of sample {n} is {exit}; must be in [0, {exitCount})", nameof(exitIndices));
            counts[exit]++;
        }
        return counts;
    }
}
