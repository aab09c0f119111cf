using EarlyExit.Core.Signals;

namespace EarlyExit.Core.Policies;

/// <summary>
/// One sample's decision at one exit, written once for every exit loop: the runtime and the
/// server's schedulers (from the logits a head just produced) and the offline replay
/// (<see cref="ExitReplay.ExitIndex"/>, from stored signals). So a sample leaves at the same exit
/// whichever loop runs it.
/// </summary>
public static class ExitDecision
{
    /// <summary>
    /// Decides from an exit's logits: their signals (<see cref="ExitSignals.Compute(ReadOnlySpan{float}, int, int)"/>),
    /// then <see cref="Decide(ExitPolicy, int, int, in SignalValues, ref ExitState)"/>.
    /// </summary>
    /// <param name="policy">The sample's policy.</param>
    /// <param name="exitIndex">0-based exit k the sample just reached.</param>
    /// <param name="exitCount">M, the model's number of exits; the last one always exits.</param>
    /// <param name="logits">The sample's C logits at exit k.</param>
    /// <param name="sample">Which sample it is, named if its logits are not finite.</param>
    /// <param name="state">The sample's exit state, carried from exit to exit and updated in place.</param>
    /// <param name="signals">The signals at exit k.</param>
    /// <returns>True when the sample leaves at exit k.</returns>
    /// <exception cref="InvalidLogitsException">A logit is NaN or infinite.</exception>
    public static bool Decide(ExitPolicy policy, int exitIndex, int exitCount, ReadOnlySpan<float> logits, int sample,
        ref ExitState state, out SignalValues signals)
    {
        ArgumentNullException.ThrowIfNull(policy);
        signals = ExitSignals.Compute(logits, sample, exitIndex);
        return Decide(policy, exitIndex, exitCount, signals, ref state);
    }

    /// <summary>Decides from an exit's signals: <see cref="ExitPolicy.ShouldExit"/> with the sample's own state.</summary>
    /// <param name="policy">The sample's policy.</param>
    /// <param name="exitIndex">0-based exit k the sample just reached.</param>
    /// <param name="exitCount">M, the model's number of exits; the last one always exits.</param>
    /// <param name="signals">The sample's signals at exit k.</param>
    /// <param name="state">The sample's exit state, carried from exit to exit and updated in place.</param>
    /// <returns>True when the sample leaves at exit k.</returns>
    public static bool Decide(ExitPolicy policy, int exitIndex, int exitCount, in SignalValues signals, ref ExitState state)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.ShouldExit(new ExitObservation(exitIndex, exitCount, signals), ref state);
    }
}
