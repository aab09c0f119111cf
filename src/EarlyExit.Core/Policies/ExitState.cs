namespace EarlyExit.Core.Policies;

/// <summary>
/// The running state of one sample as it passes its exits: the scratch a policy may carry
/// from one exit to the next (PABEE's patience counter, BEEM's cumulative score).
/// </summary>
/// <remarks>
/// Policies are immutable and shared; the state belongs to the sample. It is a struct so the
/// offline evaluator and the runtime keep one per row with no allocation.
/// Start every sample with <see cref="Start"/>.
/// </remarks>
public struct ExitState
{
    /// <summary>ŷ of the previous exit, or -1 before the first exit.</summary>
    public int PreviousPrediction;

    /// <summary>Consecutive exits whose prediction equalled the one before (PABEE's counter).</summary>
    public int Streak;

    /// <summary>Cumulative score S_m (BEEM §3.2).</summary>
    public double Score;

    /// <summary>Evaluation-only knowledge of the sample; null in deployment.</summary>
    public SampleHindsight? Hindsight;

    /// <summary>The state of a sample before its first exit.</summary>
    /// <param name="hindsight">Final prediction and label, for the oracles; null in deployment.</param>
    public static ExitState Start(SampleHindsight? hindsight = null) =>
        new() { PreviousPrediction = -1, Streak = 0, Score = 0, Hindsight = hindsight };
}
