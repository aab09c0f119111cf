namespace EarlyExit.Core.Evaluation;

/// <summary>
/// The failure rates of a policy's exit decisions (COSEE appendix D; docs/algorithms.md §4): how often
/// it leaves on a wrong prediction, and how often it goes on past a right one.
/// </summary>
/// <remarks>
/// <para><b>(our choice)</b> A <i>decision point</i> is an exit a sample reached where the policy
/// could still continue, i.e. any exit but the last: for a sample leaving at 0-based exit e, the
/// decision points are exits 0..min(e, M − 2). At exits before e the policy continued; at e it
/// exited, unless e is the last exit, where leaving is forced and not a decision.</para>
/// <para>Premature exit rate = (exits at a decision point whose prediction is wrong) / (decision
/// points whose prediction is wrong). Delayed exit rate = (continues at a decision point whose
/// prediction is right) / (decision points whose prediction is right). A rate with no decision
/// point to count (e.g. M = 1) is NaN.</para>
/// <para>Counted in O(1) per sample from running totals R(m) = right predictions among exits 0..m:
/// a sample leaving at e has R(e − 1) right continues and e − R(e − 1) wrong ones, plus, when
/// e &lt; M − 1, one exit that is right or wrong as exit e is.</para>
/// </remarks>
/// <param name="WrongDecisionPoints">Decision points where the exit's prediction was wrong.</param>
/// <param name="PrematureExits">Of those, the ones where the policy exited.</param>
/// <param name="RightDecisionPoints">Decision points where the exit's prediction was right.</param>
/// <param name="DelayedContinues">Of those, the ones where the policy continued.</param>
public readonly record struct ExitDecisionRates(
    long WrongDecisionPoints,
    long PrematureExits,
    long RightDecisionPoints,
    long DelayedContinues)
{
    /// <summary>Premature exit rate, PrematureExits / WrongDecisionPoints in [0, 1]; NaN without wrong decision points.</summary>
    public double PrematureRate => WrongDecisionPoints == 0 ? double.NaN : (double)PrematureExits / WrongDecisionPoints;

    /// <summary>Delayed exit rate, DelayedContinues / RightDecisionPoints in [0, 1]; NaN without right decision points.</summary>
    public double DelayedRate => RightDecisionPoints == 0 ? double.NaN : (double)DelayedContinues / RightDecisionPoints;

    /// <summary>Counts the decision points of every sample.</summary>
    /// <param name="exitIndices">N 0-based exit indices, each in [0, <paramref name="exitCount"/>); at least one.</param>
    /// <param name="correct">N × M row-major [sample][exit]: whether that exit's prediction equals the label.</param>
    /// <param name="exitCount">M ≥ 1.</param>
    /// <exception cref="ArgumentException">Empty, lengths disagree, or an exit index out of range.</exception>
    public static ExitDecisionRates Count(ReadOnlySpan<int> exitIndices, ReadOnlySpan<bool> correct, int exitCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exitCount, 1);
        if (exitIndices.IsEmpty)
            throw new ArgumentException("exitIndices must hold at least one sample; got 0", nameof(exitIndices));
        if (correct.Length != (long)exitIndices.Length * exitCount)
            throw new ArgumentException(
                $"correct holds {correct.Length} values but {exitIndices.Length} samples × {exitCount} exits need {(long)exitIndices.Length * exitCount}",
                nameof(correct));
        for (int n = 0; n < exitIndices.Length; n++)
        {
            if ((uint)exitIndices[n] >= (uint)exitCount)
                throw new ArgumentException($"exitIndices[{n}] is {exitIndices[n]}; must be in [0, {exitCount})", nameof(exitIndices));
        }
        return CountFromRunningTotals(exitIndices, RightThrough(correct, exitCount), exitCount);
    }

    /// <summary>
    /// Running totals of <paramref name="correct"/> per sample: entry [n, m] = how many of exits
    /// 0..m sample n gets right. Built once per trace so counting a policy's decision points is
    /// O(1) per sample.
    /// </summary>
    internal static int[] RightThrough(ReadOnlySpan<bool> correct, int exitCount)
    {
        var totals = new int[correct.Length];
        for (int start = 0; start < correct.Length; start += exitCount)
        {
            int running = 0;
            for (int m = 0; m < exitCount; m++)
            {
                if (correct[start + m]) running++;
                totals[start + m] = running;
            }
        }
        return totals;
    }

    /// <summary>The counting itself, from <see cref="RightThrough"/>'s totals; exit indices already checked.</summary>
    internal static ExitDecisionRates CountFromRunningTotals(ReadOnlySpan<int> exitIndices, ReadOnlySpan<int> rightThrough, int exitCount)
    {
        long wrongPoints = 0, premature = 0, rightPoints = 0, delayed = 0;
        for (int n = 0; n < exitIndices.Length; n++)
        {
            int exit = exitIndices[n];
            int row = n * exitCount;
            // Exits 0..e−1: the policy continued at each, all decision points (all are < M − 1).
            int rightBefore = exit == 0 ? 0 : rightThrough[row + exit - 1];
            delayed += rightBefore;
            rightPoints += rightBefore;
            wrongPoints += exit - rightBefore;
            // Exit e: a decision to exit, unless e is the last exit (leaving there is forced).
            if (exit < exitCount - 1)
            {
                if (rightThrough[row + exit] > rightBefore) rightPoints++;
                else { wrongPoints++; premature++; }
            }
        }
        return new ExitDecisionRates(wrongPoints, premature, rightPoints, delayed);
    }
}
