using EarlyExit.Core.Calibration;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;

namespace EarlyExit.Core.Tests.Calibration;

public class BeemThresholdsTests
{
    private static SignalValues Sig(int prediction, float maxProb) => new(prediction, maxProb, 0, 0, 0, 0);

    // A hand-made validation set (synthetic): 8 samples, 3 exits, every label 0, w = [1, 1, 1].
    // Columns: (ŷ, C) at exit 1, 2, 3 and the score S_m of eq. 2 (reset when ŷ changes).
    //   n  exit 1      exit 2      exit 3   S_1   S_2                 right at 1 / 2 / 3
    //   0  (0, .95)    (0, .90)    (0, .9)  .95   .95+.90 = 1.85      y / y / y
    //   1  (0, .92)    (0, .90)    (0, .9)  .92   .92+.90 = 1.82      y / y / y
    //   2  (1, .60)    (1, .80)    (1, .9)  .60   .60+.80 = 1.40      n / n / n
    //   3  (1, .55)    (0, .70)    (0, .9)  .55   reset:    .70       n / y / y
    //   4  (0, .30)    (0, .30)    (0, .9)  .30   .30+.30 = .60       y / y / y
    //   5  (1, .40)    (1, .60)    (0, .9)  .40   .40+.60 = 1.00      n / n / y
    //   6  (0, .45)    (2, .50)    (0, .9)  .45   reset:    .50       y / n / y
    //   7  (2, .20)    (2, .95)    (2, .9)  .20   .20+.95 = 1.15      n / n / n
    // Final exit wrong on samples 2 and 7: p = 2/8 = 0.25.
    private static readonly SignalValues[] Validation =
    [
        Sig(0, .95f), Sig(0, .90f), Sig(0, .9f),
        Sig(0, .92f), Sig(0, .90f), Sig(0, .9f),
        Sig(1, .60f), Sig(1, .80f), Sig(1, .9f),
        Sig(1, .55f), Sig(0, .70f), Sig(0, .9f),
        Sig(0, .30f), Sig(0, .30f), Sig(0, .9f),
        Sig(1, .40f), Sig(1, .60f), Sig(0, .9f),
        Sig(0, .45f), Sig(2, .50f), Sig(0, .9f),
        Sig(2, .20f), Sig(2, .95f), Sig(2, .9f),
    ];
    private static readonly int[] Labels = [0, 0, 0, 0, 0, 0, 0, 0];
    private static readonly double[] Weights = [1, 1, 1];
    private static readonly double[] Grid = [0.5, 0.9, 1.5];

    [Fact]
    public void Eq3_picks_the_smallest_safe_alpha_among_the_samples_that_reach_each_exit()
    {
        // Exit 1, all 8 reach:
        //   α = 0.5: S_1 ≥ .5 → {0, 1, 2, 3}, wrong {2, 3}: q = 2/4 = .5 > .25 ✗
        //   α = 0.9: S_1 ≥ .9 → {0, 1}, wrong none: q = 0 ≤ .25 ✓ → α_1 = 0.9 (2 stop).
        // Exit 2, reached by {2..7} (0 and 1 left at exit 1):
        //   α = 0.5: {2 (1.4), 3 (.7), 4 (.6), 5 (1.0), 6 (.5), 7 (1.15)}, wrong {2, 5, 6, 7}: q = 4/6 ✗
        //   α = 0.9: {2, 5, 7}, all wrong: q = 1 ✗
        //   α = 1.5: nobody reaching has S_2 ≥ 1.5 (only 0 and 1 do, and they already left) ✗
        //   → α_2 = +∞. Counting 0 and 1 as well would have given α = 1.5 with q = 0/2.
        // Exit 3 (last): reached by {2..7}, all stop; wrong {2, 7}: q = 2/6.
        var fit = BeemThresholds.FromErrorRates(Validation, Labels, 3, Weights, Grid);

        Assert.Equal(0.25, fit.FinalExitError, 12);
        Assert.Equal([0.9, double.PositiveInfinity, 0], fit.Thresholds.ToArray());
        Assert.Equal(new BeemExitThreshold(0.9, 0, 2, 8), fit.Exits[0]);
        Assert.Equal(double.PositiveInfinity, fit.Exits[1].Threshold);
        Assert.True(double.IsNaN(fit.Exits[1].ErrorRate));
        Assert.Equal(0, fit.Exits[1].StoppingCount);
        Assert.Equal(6, fit.Exits[1].ReachingCount);
        Assert.Equal(2.0 / 6, fit.Exits[2].ErrorRate, 12);
        Assert.Equal(6, fit.Exits[2].StoppingCount);
    }

    [Fact]
    public void Eq3_ignores_the_order_and_duplicates_of_the_search_set()
    {
        var fit = BeemThresholds.FromErrorRates(Validation, Labels, 3, Weights, [1.5, 0.9, 0.5, 0.9]);
        Assert.Equal([0.9, double.PositiveInfinity, 0], fit.Thresholds.ToArray());
    }

    [Fact]
    public void Eq3_min_count_rejects_alphas_chosen_on_too_few_samples()
    {
        // minCount = 3. Exit 1: α = .5 fails on q (.5); α = .9 has only 2 stopping (< 3); α = 1.5
        // has none → α_1 = +∞, so all 8 reach exit 2:
        //   α = .5: all 8 stop, wrong {2, 5, 6, 7}: q = .5 ✗; α = .9: {0, 1, 2, 5, 7}, wrong 3: q = .6 ✗;
        //   α = 1.5: {0, 1} (1.85, 1.82), q = 0 but 2 < 3 stopping ✗ → α_2 = +∞.
        var strict = BeemThresholds.FromErrorRates(Validation, Labels, 3, Weights, Grid, minCount: 3);
        Assert.Equal([double.PositiveInfinity, double.PositiveInfinity, 0], strict.Thresholds.ToArray());
        Assert.Equal(8, strict.Exits[1].ReachingCount);
        Assert.Equal(3, strict.MinCount);

        // minCount = 2 is met by exit 1's α = .9 (2 stopping): same as the default.
        var loose = BeemThresholds.FromErrorRates(Validation, Labels, 3, Weights, Grid, minCount: 2);
        Assert.Equal(0.9, loose.Thresholds[0]);
    }

    [Fact]
    public void Eq3_thresholds_replay_to_the_counts_they_were_chosen_on()
    {
        // The policy built from the fit must stop the same samples: 0 and 1 at exit 1, the rest at 3.
        var policy = BeemThresholds.FromErrorRates(Validation, Labels, 3, Weights, Grid).ToPolicy(BeemPolicy.AccuracyName);
        int[] exits = [.. Enumerable.Range(0, 8).Select(n => ExitReplay.ExitIndex(policy, Validation.AsSpan(n * 3, 3)))];
        Assert.Equal([0, 0, 2, 2, 2, 2, 2, 2], exits);
        Assert.Equal("beem-a", policy.Name);
    }

    [Fact]
    public void Eq3_tie_q_equal_to_p_qualifies()
    {
        // 4 samples, 2 exits, w = [1, 1]. Final exit wrong on 1 of 4: p = .25.
        // Exit 1: α = .5 stops all 4 (C = .6), wrong 1: q = 1/4 = p → qualifies (q ≤ p).
        SignalValues[] signals = [Sig(0, .6f), Sig(0, .9f), Sig(0, .6f), Sig(0, .9f), Sig(0, .6f), Sig(0, .9f), Sig(1, .6f), Sig(1, .9f)];
        var fit = BeemThresholds.FromErrorRates(signals, [0, 0, 0, 0], 2, [1, 1], [0.5]);
        Assert.Equal(0.5, fit.Thresholds[0]);
        Assert.Equal(0.25, fit.Exits[0].ErrorRate, 12);
    }

    [Fact]
    public void Eq3_exits_nobody_reaches_get_infinity_and_NaN_error()
    {
        // 2 samples, 3 exits, both right everywhere: p = 0. Exit 1: α = .5 stops both (C = .9),
        // q = 0 ≤ 0 → α_1 = .5. Nobody reaches exit 2 (→ +∞, 0 stopping) or exit 3 (q undefined).
        SignalValues[] signals = [Sig(0, .9f), Sig(0, .9f), Sig(0, .9f), Sig(1, .9f), Sig(1, .9f), Sig(1, .9f)];
        var fit = BeemThresholds.FromErrorRates(signals, [0, 1], 3, [1, 1, 1], [0.5]);
        Assert.Equal([0.5, double.PositiveInfinity, 0], fit.Thresholds.ToArray());
        Assert.Equal(0, fit.Exits[1].ReachingCount);
        Assert.Equal(0, fit.Exits[2].StoppingCount);
        Assert.True(double.IsNaN(fit.Exits[2].ErrorRate));
    }

    [Fact]
    public void Paper_search_set_is_half_steps_to_5_plus_the_exit_count()
    {
        Assert.Equal([0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 12], BeemThresholds.PaperSearchSet(12).ToArray());
        Assert.Equal([0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5], BeemThresholds.PaperSearchSet(3).ToArray()); // 3 already there
        Assert.Equal([0.3, 0.6, 0.9, 1.2, 1.5], BeemThresholds.ClassicalPaperSearchSet.ToArray());
    }

    [Fact]
    public void Eq3_with_the_paper_set_uses_it()
    {
        // Same data with the paper's set {0.5, …, 5, 3}: exit 1 as before but the candidate 1.0 lies
        // between .9 and 1.5: S_1 ≤ .95 < 1, so α = .5 (q = .5) fails and α = 1 stops nobody →
        // α_1 = +∞ … up to 5; the 0.9 of the user grid is not in this set.
        // Exit 2, all 8 reach: α = .5 (q = 4/8 ✗), 1.0: {0, 1, 2, 5, 7} wrong 3 (q = .6 ✗),
        // 1.5: {0, 1} wrong 0 → α_2 = 1.5.
        var fit = BeemThresholds.FromErrorRates(Validation, Labels, 3, Weights);
        Assert.Equal([double.PositiveInfinity, 1.5, 0], fit.Thresholds.ToArray());
        Assert.Equal(new BeemExitThreshold(1.5, 0, 2, 8), fit.Exits[1]);
    }

    [Fact]
    public void Eq3_validates_its_inputs_naming_the_value()
    {
        var shape = Assert.Throws<ArgumentException>(() => BeemThresholds.FromErrorRates(Validation.AsSpan(0, 23), Labels, 3, Weights, Grid));
        Assert.Contains("23 entries", shape.Message);
        var grid = Assert.Throws<ArgumentOutOfRangeException>(() => BeemThresholds.FromErrorRates(Validation, Labels, 3, Weights, [0.5, double.NaN]));
        Assert.Contains("searchSet[1] must be ≥ 0; got NaN", grid.Message);
        var min = Assert.Throws<ArgumentOutOfRangeException>(() => BeemThresholds.FromErrorRates(Validation, Labels, 3, Weights, Grid, minCount: 0));
        Assert.Contains("minCount must be at least 1; got 0", min.Message);
        var weights = Assert.Throws<ArgumentException>(() => BeemThresholds.FromErrorRates(Validation, Labels, 3, [1, 1], Grid));
        Assert.Contains("2 weights", weights.Message);
        Assert.Throws<ArgumentException>(() => BeemThresholds.FromErrorRates(Validation, Labels, 3, Weights, []));
    }

    // Classical, same validation set, one α for all exits (exit per sample, layers run, right?):
    //   α = 0.5: 0:1 y, 1:1 y, 2:1 n, 3:1 n, 4:2 (S_2 .6) y, 5:2 (1.0) n, 6:2 (.5) n, 7:2 (1.15) n
    //            correct 3/8 = .375; layers 1+1+1+1+2+2+2+2 = 12; speed-up 3·8/12 = 2
    //   α = 0.9: 0:1 y, 1:1 y, 2:2 (1.4) n, 3:3 y, 4:3 y, 5:2 (1.0) n, 6:3 y, 7:2 (1.15) n
    //            correct 5/8 = .625; layers 1+1+2+3+3+2+3+2 = 17; speed-up 24/17
    //   α = 1.5: 0:2 (1.85) y, 1:2 (1.82) y, 2..7 reach exit 3: right except 2 and 7
    //            correct 6/8 = .75; layers 2+2+3·6 = 22; speed-up 24/22
    [Fact]
    public void Classical_without_a_target_takes_the_most_accurate_alpha()
    {
        var fit = BeemThresholds.Classical(Validation, Labels, 3, Weights, Grid);
        Assert.Equal(1.5, fit.Chosen.Threshold);
        Assert.Equal(0.75, fit.Chosen.Accuracy, 12);
        Assert.Equal(24.0 / 22, fit.Chosen.SpeedupRatio, 12);
        Assert.True(fit.MeetsSpeedupTarget);
        Assert.Equal([0.375, 0.625, 0.75], fit.Candidates.Select(c => c.Accuracy));
        Assert.Equal(2.0, fit.Candidates[0].SpeedupRatio, 12);
        Assert.Equal(24.0 / 17, fit.Candidates[1].SpeedupRatio, 12);
    }

    [Fact]
    public void Classical_with_a_speedup_target_takes_the_most_accurate_fast_enough_alpha()
    {
        // Target 1.2: α = .5 (2.0) and α = .9 (1.41) qualify, α = 1.5 (1.09) does not → α = .9 (.625).
        var fit = BeemThresholds.Classical(Validation, Labels, 3, Weights, Grid, minSpeedup: 1.2);
        Assert.Equal(0.9, fit.Chosen.Threshold);
        Assert.True(fit.MeetsSpeedupTarget);
        Assert.Equal([0.9], fit.ToPolicy(BeemPolicy.CostName).Thresholds.ToArray());
    }

    [Fact]
    public void Classical_with_an_unreachable_target_returns_the_fastest_and_says_so()
    {
        var fit = BeemThresholds.Classical(Validation, Labels, 3, Weights, Grid, minSpeedup: 3);
        Assert.Equal(0.5, fit.Chosen.Threshold); // speed-up 2, the largest
        Assert.False(fit.MeetsSpeedupTarget);
    }

    [Fact]
    public void Classical_breaks_accuracy_ties_by_speedup()
    {
        // α = 1.6 and α = 1.9 both give 6/8: every S_2 of {0, 1} (1.85, 1.82) ≥ 1.6 but < 1.9,
        // so α = 1.6 lets them leave at exit 2 (22 layers) while α = 1.9 runs all to exit 3 (24).
        var fit = BeemThresholds.Classical(Validation, Labels, 3, Weights, [1.9, 1.6]);
        Assert.Equal(1.6, fit.Chosen.Threshold);
        Assert.Equal(fit.Candidates[0].CorrectCount, fit.Candidates[1].CorrectCount);
    }

    [Fact]
    public void Classical_rejects_a_target_below_1()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => BeemThresholds.Classical(Validation, Labels, 3, Weights, Grid, 0.5));
        Assert.Contains("minSpeedup must be finite and ≥ 1 (1 = no constraint); got 0.5", e.Message);
    }
}
