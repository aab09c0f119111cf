using EarlyExit.Core.Policies;
using static EarlyExit.Core.Tests.Policies.PolicyTestKit;

namespace EarlyExit.Core.Tests.Policies;

// The exit sequences here are synthetic: only the predictions are set.
public class PatiencePolicyTests
{
    [Fact]
    public void ExitsWhenThePredictionHasHeldForPatienceExits()
    {
        // P = 2, predictions (0, 1, 1, 1, 2, 2): counters 0, 0 (1 ≠ 0), 1, 2 ≥ 2 → exit 3.
        var policy = new PatiencePolicy(2);
        Assert.Equal(3, FirstExit(policy, WithPredictions(0, 1, 1, 1, 2, 2)));
    }

    [Fact]
    public void DisagreementResetsTheCounter()
    {
        // P = 2, predictions (0, 0, 1, 1, 1, 2): counters 0, 1, 0 (reset), 1, 2 → exit 4, not the last (5).
        var policy = new PatiencePolicy(2);
        var exits = WithPredictions(0, 0, 1, 1, 1, 2);
        var state = ExitState.Start();
        int[] expectedStreaks = [0, 1, 0, 1, 2];
        bool[] expectedExits = [false, false, false, false, true];

        for (int m = 0; m < expectedStreaks.Length; m++)
        {
            bool exit = policy.ShouldExit(new ExitObservation(m, exits.Length, exits[m]), ref state);
            Assert.Equal(expectedStreaks[m], state.Streak);
            Assert.Equal(expectedExits[m], exit);
            Assert.Equal(exits[m].Prediction, state.PreviousPrediction);
        }
    }

    [Fact]
    public void PatienceOneExitsAtTheFirstRepeat()
    {
        // P = 1: (3, 3) → counters 0, 1 → exit 1. (0, 1, 0, 1, 0) never repeats → last exit 4.
        Assert.Equal(1, FirstExit(new PatiencePolicy(1), WithPredictions(3, 3, 5)));
        Assert.Equal(4, FirstExit(new PatiencePolicy(1), WithPredictions(0, 1, 0, 1, 0)));
    }

    [Fact]
    public void TheFirstExitNeverExitsEvenWhenItsPredictionIsClassZero()
    {
        // PreviousPrediction starts at −1, so prediction 0 at exit 0 is no agreement: counter 0 < 1.
        // (0, 0) → counters 0, 1 → exit 1.
        Assert.Equal(1, FirstExit(new PatiencePolicy(1), WithPredictions(0, 0, 0)));
    }

    [Fact]
    public void PatienceEqualToTheExitCountRunsEveryLayer()
    {
        // M = 4, all predictions equal: counters 0, 1, 2, 3 never reach P = 4; the last exit (3) exits.
        // P = 3 reaches 3 at the same last exit; P = 2 leaves earlier, at exit 2.
        var exits = WithPredictions(7, 7, 7, 7);
        Assert.Equal(3, FirstExit(new PatiencePolicy(4), exits));
        Assert.Equal(3, FirstExit(new PatiencePolicy(3), exits));
        Assert.Equal(2, FirstExit(new PatiencePolicy(2), exits));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void RejectsPatienceBelowOne(int patience)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new PatiencePolicy(patience));
        Assert.Equal("patience", ex.ParamName);
        Assert.Contains($"patience must be at least 1; got {patience}", ex.Message);
    }

    [Fact]
    public void ValidateRejectsPatienceAboveTheExitCount()
    {
        var ex = Assert.Throws<ArgumentException>(() => new PatiencePolicy(7).Validate(6));
        Assert.Contains("patience must be between 1 and 6 (the number of exits); got 7", ex.Message);
    }

    [Fact]
    public void ValidateAcceptsPatienceUpToTheExitCount()
    {
        new PatiencePolicy(6).Validate(6);
        new PatiencePolicy(1).Validate(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PatiencePolicy(1).Validate(0));
    }

    [Fact]
    public void NameAndParameter()
    {
        var policy = new PatiencePolicy(3);
        Assert.Equal("patience", policy.Name);
        Assert.Equal(3.0, policy.Parameter);
        Assert.Equal(3, policy.Patience);
        Assert.True(policy.IsDeployable);
        Assert.Equal(new PatiencePolicy(3), policy);
    }
}
