using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;

namespace EarlyExit.Core.Tests.Policies;

/// <summary>Synthetic exit sequences and an exit loop that, unlike ExitReplay, can report "never exited".</summary>
internal static class PolicyTestKit
{
    /// <summary>
    /// Runs the policy over the exits in order; returns the 0-based exit of the first
    /// ShouldExit = true, or -1 if none said so (which must never happen).
    /// </summary>
    public static int FirstExit(ExitPolicy policy, ReadOnlySpan<SignalValues> exits, SampleHindsight? hindsight = null)
    {
        var state = ExitState.Start(hindsight);
        for (int m = 0; m < exits.Length; m++)
        {
            if (policy.ShouldExit(new ExitObservation(m, exits.Length, exits[m]), ref state))
                return m;
        }
        return -1;
    }

    /// <summary>Synthetic exits (prediction 0) where only <paramref name="signal"/> is set, other signals 0.</summary>
    public static SignalValues[] WithSignal(ExitSignal signal, params float[] values) =>
        [.. values.Select(v => signal switch
        {
            ExitSignal.MaxProb => new SignalValues(0, v, 0, 0, 0, 0),
            ExitSignal.Entropy => new SignalValues(0, 0, v, 0, 0, 0),
            ExitSignal.NormalizedEntropy => new SignalValues(0, 0, 0, v, 0, 0),
            ExitSignal.Energy => new SignalValues(0, 0, 0, 0, v, 0),
            ExitSignal.NormalizedEnergy => new SignalValues(0, 0, 0, 0, 0, v),
            _ => throw new ArgumentOutOfRangeException(nameof(signal)),
        })];

    /// <summary>Synthetic exits with only the predictions set (all signals 0).</summary>
    public static SignalValues[] WithPredictions(params int[] predictions) =>
        [.. predictions.Select(p => new SignalValues(p, 0, 0, 0, 0, 0))];
}
