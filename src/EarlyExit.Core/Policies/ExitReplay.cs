using EarlyExit.Core.Signals;

namespace EarlyExit.Core.Policies;

/// <summary>
/// Replays a policy over one sample's precomputed exits: the offline form of the exit loop,
/// deciding each exit with <see cref="ExitDecision"/> as the runtime does.
/// </summary>
public static class ExitReplay
{
    /// <summary>
    /// Returns the 0-based exit where the sample leaves under <paramref name="policy"/>.
    /// </summary>
    /// <param name="policy">Any policy; oracles need <paramref name="hindsight"/>.</param>
    /// <param name="exits">The sample's signals at exits 0..M−1.</param>
    /// <param name="hindsight">Final prediction and label, for the oracles.</param>
    public static int ExitIndex(ExitPolicy policy, ReadOnlySpan<SignalValues> exits, SampleHindsight? hindsight = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (exits.IsEmpty)
            throw new ArgumentException("a sample needs at least one exit; got 0", nameof(exits));
        var state = ExitState.Start(hindsight);
        for (int m = 0; m < exits.Length; m++)
        {
            if (ExitDecision.Decide(policy, m, exits.Length, exits[m], ref state))
                return m;
        }
        return exits.Length - 1; // unreachable: ShouldExit exits at the last exit
    }
}
