using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;

namespace EarlyExit.Core.Tests.Policies;

/// <summary>The per-sample exit decision on hand-worked synthetic logits.</summary>
public sealed class ExitDecisionTests
{
    [Fact]
    public void DecideUsesTheRowsOwnStateAndTheLastExitAlwaysExits()
    {
        var patience = new PatiencePolicy(1);
        ExitState state = ExitState.Start();
        // Logits (0, ln 3): softmax (1/4, 3/4), prediction 1 at every exit.
        float[] z = [0f, MathF.Log(3)];

        bool first = ExitDecision.Decide(patience, 0, 4, z, 7, ref state, out SignalValues s0);
        bool second = ExitDecision.Decide(patience, 1, 4, z, 7, ref state, out _);

        Assert.False(first);   // no previous prediction yet: streak 0 < 1
        Assert.True(second);   // agrees with exit 0, kept in the state: streak 1 ≥ patience 1
        Assert.Equal(1, s0.Prediction);
        Assert.Equal(0.75f, s0.MaxProb, 1e-6f);
        ExitState fresh = ExitState.Start();
        Assert.True(ExitDecision.Decide(new ThresholdPolicy(ExitSignal.MaxProb, 0.99), 3, 4, z, 0, ref fresh, out _)); // last exit
    }

    [Fact]
    public void DecideNamesTheSampleAndExitOfNonFiniteLogits()
    {
        ExitState state = ExitState.Start();

        var e = Assert.Throws<InvalidLogitsException>(() => ExitDecision.Decide(new StaticExitPolicy(1), 2, 4, [float.NaN, 0f], 5, ref state, out _));

        Assert.Equal(5, e.Sample);
        Assert.Equal(2, e.Exit);
    }

    [Fact]
    public void TheReplayLeavesWhereDecidingExitByExitLeaves()
    {
        // Predictions 0, 1, 1, 1: patience 2 needs two agreements after exit 1, so it leaves at exit 3.
        float[][] logits = [[1f, 0f], [0f, 1f], [0f, 2f], [0f, 3f]];
        SignalValues[] signals = [.. logits.Select(z => ExitSignals.Compute(z))];
        var policy = new PatiencePolicy(2);
        ExitState state = ExitState.Start();
        int online = Enumerable.Range(0, 4).First(k => ExitDecision.Decide(policy, k, 4, logits[k], 0, ref state, out _));

        Assert.Equal(3, online);
        Assert.Equal(online, ExitReplay.ExitIndex(policy, signals));
    }
}
