using EarlyExit.Core.Calibration;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace EarlyExit.Core.Tests.Policies;

public class BeemPolicyTests
{
    // Synthetic exits: only the prediction and max-prob matter to BEEM.
    private static SignalValues Sig(int prediction, float maxProb) => new(prediction, maxProb, 0, 0, 0, 0);

    // w = [1, 2, 3], C = [0.9, 0.8, 0.7], ŷ = [1, 1, 0]:
    // S_1 = 1·0.9 = 0.9; ŷ_2 = ŷ_1 so S_2 = 0.9 + 2·0.8 = 2.5; ŷ_3 ≠ ŷ_2 so S_3 = 3·0.7 = 2.1 (reset).
    private static readonly SignalValues[] ResetSample = [Sig(1, 0.9f), Sig(1, 0.8f), Sig(0, 0.7f)];

    [Fact]
    public void Score_accumulates_while_predictions_agree_and_resets_on_disagreement()
    {
        var policy = new BeemPolicy(BeemPolicy.CostName, [1, 2, 3], [double.PositiveInfinity]);
        var state = ExitState.Start();
        double[] expected = [0.9, 2.5, 2.1];
        for (int m = 0; m < 3; m++)
        {
            bool exit = policy.ShouldExit(new ExitObservation(m, 3, ResetSample[m]), ref state);
            Assert.Equal(expected[m], state.Score, 1e-6);
            Assert.Equal(m == 2, exit); // α = +∞: only the last exit, which always exits
        }
    }

    [Fact]
    public void NextScore_is_the_recurrence_of_eq_2()
    {
        Assert.Equal(0.9, BeemPolicy.NextScore(123, -1, 1, 1, 0.9), 12);     // first exit: S_1 = w_1·C_1
        Assert.Equal(2.5, BeemPolicy.NextScore(0.9, 1, 1, 2, 0.8), 12);      // agree: 0.9 + 1.6
        Assert.Equal(2.1, BeemPolicy.NextScore(2.5, 1, 0, 3, 0.7), 12);      // disagree: 3·0.7
    }

    [Theory]
    [InlineData(0.5, 0)]   // S_1 = 0.9 ≥ 0.5
    [InlineData(2.4, 1)]   // S_1 = 0.9 < 2.4; S_2 = 2.5 ≥ 2.4
    [InlineData(2.6, 2)]   // S_2 = 2.5 < 2.6; S_3 = 2.1 < 2.6 but the last exit always exits
    public void Shared_threshold_exits_at_the_first_score_reaching_it(double alpha, int expectedExit) =>
        Assert.Equal(expectedExit, ExitReplay.ExitIndex(new BeemPolicy(BeemPolicy.CostName, [1, 2, 3], [alpha]), ResetSample));

    [Fact]
    public void Per_exit_thresholds_apply_at_their_own_exit()
    {
        // α_1 = +∞ blocks exit 1 although S_1 = 0.9 is large; α_2 = 2.0 ≤ S_2 = 2.5.
        var policy = new BeemPolicy(BeemPolicy.AccuracyName, [1, 2, 3], [double.PositiveInfinity, 2.0, double.PositiveInfinity]);
        Assert.Equal(1, ExitReplay.ExitIndex(policy, ResetSample));
        Assert.Equal(2.0, policy.ThresholdAt(1));
        Assert.True(double.IsNaN(policy.Parameter));
    }

    [Fact]
    public void Cost_weights_with_lambda_scale_the_score()
    {
        // BEEM-C, λ = 0.5: w = [0.5, 1, 1.5]; S_2 = 0.5·0.9 + 1·0.8 = 1.25 ≥ 1.2, S_1 = 0.45 < 1.2.
        var policy = new BeemPolicy(BeemPolicy.CostName, BeemWeights.Cost(3, 0.5), [1.2]);
        Assert.Equal(1, ExitReplay.ExitIndex(policy, ResetSample));
        Assert.Equal("beem-c", policy.Name);
        Assert.Equal(1.2, policy.Parameter);
    }

    [Fact]
    public void Decide_does_not_allocate()
    {
        var policy = new BeemPolicy(BeemPolicy.CostName, [1, 2, 3], [2.6]);
        ExitReplay.ExitIndex(policy, ResetSample); // warm up (JIT)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) ExitReplay.ExitIndex(policy, ResetSample);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Validate_names_the_lengths_that_do_not_fit()
    {
        var policy = new BeemPolicy(BeemPolicy.CostName, [1, 2, 3], [1, 2]);
        var weights = Assert.Throws<ArgumentException>(() => policy.Validate(4));
        Assert.Contains("3 weights", weights.Message);
        Assert.Contains("4 exits", weights.Message);
        var thresholds = Assert.Throws<ArgumentException>(() => policy.Validate(3));
        Assert.Contains("2 thresholds", thresholds.Message);
        new BeemPolicy(BeemPolicy.CostName, [1, 2, 3], [1, 2, 3]).Validate(3); // fits
    }

    [Fact]
    public void Constructor_rejects_bad_weights_and_thresholds_naming_the_value()
    {
        var w = Assert.Throws<ArgumentOutOfRangeException>(() => new BeemPolicy("beem-a", [0.5, -0.25], [1]));
        Assert.Contains("weights[1] must be finite and ≥ 0; got -0.25", w.Message);
        var a = Assert.Throws<ArgumentOutOfRangeException>(() => new BeemPolicy("beem-a", [0.5], [double.NaN]));
        Assert.Contains("thresholds[0] must be ≥ 0 (+∞ allowed); got NaN", a.Message);
        Assert.Throws<ArgumentException>(() => new BeemPolicy("beem-a", [], [1]));
        Assert.Throws<ArgumentException>(() => new BeemPolicy(" ", [1], [1]));
    }

    private static readonly Arbitrary<(SignalValues[] Exits, double Low, double High)> SampleAndTwoThresholds =
        (from m in Gen.Choose(1, 6)
         from predictions in Gen.ArrayOf(Gen.Choose(0, 2), m)
         from percents in Gen.ArrayOf(Gen.Choose(0, 100), m)
         from a in Gen.Choose(0, 60)
         from b in Gen.Choose(0, 60)
         select (Enumerable.Range(0, m).Select(i => Sig(predictions[i], percents[i] / 100f)).ToArray(),
                 Math.Min(a, b) / 10.0, Math.Max(a, b) / 10.0)).ToArbitrary();

    [Property]
    public Property A_lower_threshold_never_exits_later() =>
        // S_m does not depend on α, so {m : S_m ≥ α} only grows as α falls.
        Prop.ForAll(SampleAndTwoThresholds, c =>
        {
            double[] w = [.. BeemWeights.Cost(c.Exits.Length)];
            int low = ExitReplay.ExitIndex(new BeemPolicy("beem-c", w, [c.Low]), c.Exits);
            int high = ExitReplay.ExitIndex(new BeemPolicy("beem-c", w, [c.High]), c.Exits);
            return low <= high;
        });
}
