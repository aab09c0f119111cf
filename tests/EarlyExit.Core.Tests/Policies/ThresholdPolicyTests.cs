using System.Collections.Immutable;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using static EarlyExit.Core.Tests.Policies.PolicyTestKit;

namespace EarlyExit.Core.Tests.Policies;

// The exit sequences here are synthetic: only the thresholded signal is set.
public class ThresholdPolicyTests
{
    [Fact]
    public void MaxProbExitsAtTheFirstExitWithConfidenceAtLeastTau()
    {
        // τ = 0.8: 0.5 < 0.8 continue; 0.79 < 0.8 continue; 0.8 ≥ 0.8 exit (equality passes) → exit 2.
        var policy = new ThresholdPolicy(ExitSignal.MaxProb, 0.8);
        Assert.Equal(2, FirstExit(policy, WithSignal(ExitSignal.MaxProb, 0.5f, 0.79f, 0.8f, 0.95f)));
    }

    [Fact]
    public void EntropyExitsAtTheFirstExitWithEntropyAtMostTau()
    {
        // τ = 0.3: 1.2 > 0.3 continue; 0.31 > 0.3 continue; 0.3 ≤ 0.3 exit → exit 2.
        var policy = new ThresholdPolicy(ExitSignal.Entropy, 0.3);
        Assert.Equal(2, FirstExit(policy, WithSignal(ExitSignal.Entropy, 1.2f, 0.31f, 0.3f, 0f)));
    }

    [Fact]
    public void NormalizedEntropyExitsAtTheFirstExitAtMostTau()
    {
        // τ = 0.5: 0.9 continue; 0.5 ≤ 0.5 exit → exit 1.
        var policy = new ThresholdPolicy(ExitSignal.NormalizedEntropy, 0.5);
        Assert.Equal(1, FirstExit(policy, WithSignal(ExitSignal.NormalizedEntropy, 0.9f, 0.5f, 0.1f)));
    }

    [Fact]
    public void EnergyExitsWhenEnergyIsAtMostTau()
    {
        // (our choice) lower energy = surer. τ = −5: −2 > −5 continue; −4.9 > −5 continue; −5.1 ≤ −5 exit → exit 2.
        var policy = new ThresholdPolicy(ExitSignal.Energy, -5);
        Assert.Equal(2, FirstExit(policy, WithSignal(ExitSignal.Energy, -2f, -4.9f, -5.1f, -9f)));
    }

    [Fact]
    public void NormalizedEnergyExitsOnlyWhenStrictlyBelowTau()
    {
        // COSEE eq. 11, strict: τ = 0.25: 0.5 continue; 0.25 is not < 0.25, continue; 0.125 < 0.25 exit → exit 2.
        var policy = new ThresholdPolicy(ExitSignal.NormalizedEnergy, 0.25);
        Assert.Equal(2, FirstExit(policy, WithSignal(ExitSignal.NormalizedEnergy, 0.5f, 0.25f, 0.125f, 0f)));
    }

    [Fact]
    public void NeverPassingTauLeavesAtTheLastExit()
    {
        // τ = 0.9: 0.1, 0.2, 0.3 never reach it; the last exit (2) always exits.
        var policy = new ThresholdPolicy(ExitSignal.MaxProb, 0.9);
        Assert.Equal(2, FirstExit(policy, WithSignal(ExitSignal.MaxProb, 0.1f, 0.2f, 0.3f)));
    }

    [Fact]
    public void TauIsComparedInTheSignalsSinglePrecision()
    {
        // 0.9 as a float is 0.899999976…, below the double 0.9; the policy rounds τ to float first,
        // so a confidence stored as 0.9f meets τ = 0.9 and exits at once.
        var policy = new ThresholdPolicy(ExitSignal.MaxProb, 0.9);
        Assert.Equal(0, FirstExit(policy, WithSignal(ExitSignal.MaxProb, 0.9f, 0.1f)));
    }

    [Fact]
    public void InfiniteEntropyThresholdAlwaysExitsAndInfiniteEnergyNever()
    {
        // H ≤ +∞ holds at exit 0. E ≤ −∞ never holds for finite E: the last exit (2).
        Assert.Equal(0, FirstExit(new ThresholdPolicy(ExitSignal.Entropy, double.PositiveInfinity),
            WithSignal(ExitSignal.Entropy, 2.3f, 1f, 0f)));
        Assert.Equal(2, FirstExit(new ThresholdPolicy(ExitSignal.Energy, double.NegativeInfinity),
            WithSignal(ExitSignal.Energy, -1e30f, -1e30f, -1e30f)));
    }

    [Fact]
    public void PerExitThresholdsApplyToTheirOwnExit()
    {
        // τ = [0.9, 0.6, 0.3] on confidences [0.8, 0.7, 0.2]:
        // exit 0: 0.8 < 0.9 continue; exit 1: 0.7 ≥ 0.6 exit → 1.
        // One τ = 0.9 on the same sample never passes → last exit 2.
        var exits = WithSignal(ExitSignal.MaxProb, 0.8f, 0.7f, 0.2f);
        Assert.Equal(1, FirstExit(new ThresholdPolicy(ExitSignal.MaxProb, [0.9, 0.6, 0.3]), exits));
        Assert.Equal(2, FirstExit(new ThresholdPolicy(ExitSignal.MaxProb, 0.9), exits));
    }

    [Fact]
    public void PerExitArrayWithoutALastEntryLeavesAtTheLastExit()
    {
        // M = 3 and τ = [0.99, 0.99] (length M − 1): exits 0 and 1 continue on 0.5; exit 2 has no τ and always exits.
        var policy = new ThresholdPolicy(ExitSignal.MaxProb, [0.99, 0.99]);
        policy.Validate(3);
        Assert.Equal(2, FirstExit(policy, WithSignal(ExitSignal.MaxProb, 0.5f, 0.5f, 0.5f)));
    }

    [Fact]
    public void PerExitArrayTooShortForTheModelThrowsAtTheFirstExitWithoutTau()
    {
        // τ = [0.9, 0.9] on a 4-exit sample: exit 2 is neither covered nor last.
        var policy = new ThresholdPolicy(ExitSignal.MaxProb, [0.9, 0.9]);
        var ex = Assert.Throws<InvalidOperationException>(() =>
            FirstExit(policy, WithSignal(ExitSignal.MaxProb, 0.1f, 0.1f, 0.1f, 0.1f)));
        Assert.Contains("2 thresholds", ex.Message);
        Assert.Contains("exit 2 of 4", ex.Message);
    }

    [Theory]
    [InlineData(2, 2)] // M − 1 = 2 → M = 3
    [InlineData(2, 3)]
    [InlineData(1, 7)]
    public void ValidateAcceptsLengthOneOrMMinusOneOrM(int length, int exitCount)
    {
        var policy = new ThresholdPolicy(ExitSignal.Entropy, [.. Enumerable.Repeat(0.5, length)]);
        policy.Validate(exitCount); // does not throw
        Assert.Equal(length, policy.Thresholds.Length);
    }

    [Fact]
    public void ValidateRejectsAPerExitArrayOfTheWrongLength()
    {
        var policy = new ThresholdPolicy(ExitSignal.MaxProb, [0.9, 0.8]);
        var ex = Assert.Throws<ArgumentException>(() => policy.Validate(5));
        Assert.Equal("exitCount", ex.ParamName);
        Assert.Contains("1, 4 or 5 entries", ex.Message);
        Assert.Contains("got 2", ex.Message);
    }

    [Fact]
    public void ValidateOnAOneExitModelListsOnlyLengthOne()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ThresholdPolicy(ExitSignal.MaxProb, [0.9, 0.8]).Validate(1));
        Assert.Contains("thresholds must have 1 entry for a model with 1 exit; got 2", ex.Message);
    }

    [Fact]
    public void ValidateRejectsAModelWithoutExits() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThresholdPolicy(ExitSignal.MaxProb, 0.9).Validate(0));

    [Theory]
    [InlineData(ExitSignal.MaxProb, 1.5, "between 0 and 1; got 1.5")]
    [InlineData(ExitSignal.MaxProb, -0.1, "between 0 and 1; got -0.1")]
    [InlineData(ExitSignal.NormalizedEntropy, 1.01, "between 0 and 1; got 1.01")]
    [InlineData(ExitSignal.NormalizedEnergy, -2, "between 0 and 1; got -2")]
    [InlineData(ExitSignal.NormalizedEnergy, double.PositiveInfinity, "between 0 and 1; got Infinity")]
    [InlineData(ExitSignal.Entropy, -0.5, "at least 0 (entropy is never negative); got -0.5")]
    [InlineData(ExitSignal.Energy, double.NaN, "must be a number; got NaN")]
    [InlineData(ExitSignal.MaxProb, double.NaN, "must be a number; got NaN")]
    public void RejectsThresholdsOutsideTheSignalsRange(ExitSignal signal, double tau, string expected)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ThresholdPolicy(signal, tau));
        Assert.Equal("threshold", ex.ParamName);
        Assert.Contains(expected, ex.Message);
        Assert.Contains(ThresholdPolicy.NameOf(signal), ex.Message);
    }

    [Fact]
    public void RejectionOfAPerExitThresholdNamesItsIndex()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new ThresholdPolicy(ExitSignal.MaxProb, [0.9, double.NaN, 0.5]));
        Assert.Equal("thresholds[1]", ex.ParamName);
        Assert.Contains("thresholds[1] of the max-prob policy must be a number; got NaN", ex.Message);
    }

    [Theory]
    [InlineData(ExitSignal.Energy, -1e9)]
    [InlineData(ExitSignal.Energy, 1e9)]
    [InlineData(ExitSignal.Energy, double.NegativeInfinity)]
    [InlineData(ExitSignal.Entropy, 0)]
    [InlineData(ExitSignal.Entropy, 40)]
    [InlineData(ExitSignal.MaxProb, 0)]
    [InlineData(ExitSignal.MaxProb, 1)]
    [InlineData(ExitSignal.NormalizedEnergy, 0)]
    [InlineData(ExitSignal.NormalizedEntropy, 1)]
    public void AcceptsThresholdsInTheSignalsRange(ExitSignal signal, double tau) =>
        Assert.Equal(tau, new ThresholdPolicy(signal, tau).Threshold);

    [Fact]
    public void RejectsEmptyOrDefaultThresholdArrays()
    {
        Assert.Equal("thresholds", Assert.Throws<ArgumentException>(() => new ThresholdPolicy(ExitSignal.MaxProb, ImmutableArray<double>.Empty)).ParamName);
        Assert.Equal("thresholds", Assert.Throws<ArgumentException>(() => new ThresholdPolicy(ExitSignal.MaxProb, default(ImmutableArray<double>))).ParamName);
    }

    [Fact]
    public void RejectsAnUndefinedSignal()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new ThresholdPolicy((ExitSignal)42, 0.5));
        Assert.Equal("signal", ex.ParamName);
        Assert.Contains("got 42", ex.Message);
    }

    [Theory]
    [InlineData(ExitSignal.MaxProb, "max-prob")]
    [InlineData(ExitSignal.Entropy, "entropy")]
    [InlineData(ExitSignal.NormalizedEntropy, "normalized-entropy")]
    [InlineData(ExitSignal.Energy, "energy")]
    [InlineData(ExitSignal.NormalizedEnergy, "normalized-energy")]
    public void NameFollowsTheSignal(ExitSignal signal, string name)
    {
        var policy = new ThresholdPolicy(signal, 0.5);
        Assert.Equal(name, policy.Name);
        Assert.Equal(signal, policy.Signal);
        Assert.True(policy.IsDeployable);
    }

    [Fact]
    public void ParameterIsTheSingleTauOrNaNWhenPerExit()
    {
        Assert.Equal(0.7, new ThresholdPolicy(ExitSignal.MaxProb, 0.7).Parameter);
        var perExit = new ThresholdPolicy(ExitSignal.MaxProb, [0.9, 0.7]);
        Assert.True(perExit.IsPerExit);
        Assert.True(double.IsNaN(perExit.Parameter));
        Assert.True(double.IsNaN(perExit.Threshold));
    }

    [Fact]
    public void LengthOneArrayIsTheSameAsOneTau()
    {
        var single = new ThresholdPolicy(ExitSignal.Entropy, 0.4);
        var array = new ThresholdPolicy(ExitSignal.Entropy, [0.4]);

        Assert.False(array.IsPerExit);
        Assert.Equal(0.4, array.Parameter);
        Assert.Equal(single, array);
        Assert.Equal(single.GetHashCode(), array.GetHashCode());
    }

    [Fact]
    public void EqualityComparesTheThresholdValuesNotTheArrays()
    {
        var a = new ThresholdPolicy(ExitSignal.MaxProb, [0.9, 0.7, 0.5]);
        var b = new ThresholdPolicy(ExitSignal.MaxProb, [0.9, 0.7, 0.5]);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, new ThresholdPolicy(ExitSignal.MaxProb, [0.9, 0.7, 0.6]));
        Assert.NotEqual(a, new ThresholdPolicy(ExitSignal.Entropy, [0.9, 0.7, 0.5]));
    }

    [Fact]
    public void ToStringShowsNameAndTau()
    {
        Assert.Equal("ThresholdPolicy { Name = max-prob, Threshold = 0.9 }", new ThresholdPolicy(ExitSignal.MaxProb, 0.9).ToString());
        Assert.Equal("ThresholdPolicy { Name = entropy, Thresholds = [0.5, 0.25] }", new ThresholdPolicy(ExitSignal.Entropy, [0.5, 0.25]).ToString());
    }
}
