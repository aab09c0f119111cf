namespace EarlyExit.Torch.Training;

/// <summary>
/// Linear warm-up then linear decay (BERT; the schedule COSEE trains with, §4.3).
/// </summary>
public static class LearningRateSchedule
{
    /// <summary>
    /// The factor of the base learning rate for the step that follows <paramref name="completedSteps"/> steps:
    /// (i + 1) / W during warm-up (i &lt; W), then (S − i) / (S − W), so the first step is 1/W of the
    /// rate, step W + 1 the full rate and the last step 1/(S − W), never 0 (a step at rate 0 would be wasted).
    /// </summary>
    /// <param name="completedSteps">i, steps already taken in this schedule, in [0, <paramref name="totalSteps"/>).</param>
    /// <param name="totalSteps">S ≥ 1.</param>
    /// <param name="warmupSteps">W, in [0, S).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static double Factor(long completedSteps, long totalSteps, long warmupSteps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(warmupSteps, totalSteps);
        ArgumentOutOfRangeException.ThrowIfNegative(completedSteps);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(completedSteps, totalSteps);
        return completedSteps < warmupSteps
            ? (completedSteps + 1.0) / warmupSteps
            : (double)(totalSteps - completedSteps) / (totalSteps - warmupSteps);
    }

    /// <summary>W = round(fraction · S), kept below S.</summary>
    /// <param name="totalSteps">S ≥ 1.</param>
    /// <param name="warmupFraction">In [0, 1).</param>
    public static long WarmupSteps(long totalSteps, double warmupFraction) =>
        Math.Min(totalSteps - 1, (long)Math.Round(warmupFraction * totalSteps, MidpointRounding.AwayFromZero));
}
