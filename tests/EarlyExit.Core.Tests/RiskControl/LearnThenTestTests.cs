using EarlyExit.Core.Calibration;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.RiskControl;
using EarlyExit.Core.Sampling;
using EarlyExit.Core.Tests.TestDoubles;

namespace EarlyExit.Core.Tests.RiskControl;

/// <summary>Learn-then-Test (docs/algorithms.md §5) on the hand trace and on synthetic traces of known risk.</summary>
public sealed class LearnThenTestTests
{
    private static readonly TraceEvaluator Hand = new(HandTraces.FourSamples());

    [Fact]
    public void Fixed_sequence_stops_at_the_first_p_value_above_delta() =>
        Assert.Equal(2, LearnThenTest.FixedSequence([0.01, 0.05, 0.2, 0.01], 0.1));

    [Fact]
    public void On_the_hand_trace_it_accepts_every_threshold_above_075_and_deploys_the_lowest()
    {
        // max-probs (exit 0, 1, final): s0 (.75, .9, .9), s1 (.9, .75, .9), s2 and s3 (.75, .75, .9);
        // finals (0, 1, 0, 0). τ > .9: no early exit, 0 disagreements, p = P(Bin(4, .5) ≤ 0) = 1/16.
        // τ in (.75, .9]: s1 leaves at exit 0 answering 0 against 1: k = 1, p = 5/16. Both ≤ δ = 0.5.
        // τ ≤ .75: all leave at exit 0, (0, 0, 1, 0) against (0, 1, 0, 0): k = 2, p = 11/16 > δ: stop.
        // The grid is τ_j = 1 − 10^(−6 + j/40): j = 215 gives 1 − 10^(−0.625) = 0.76286, the last above .75.
        var limit = new RiskLimit(RiskMeasure.Disagreement, 0.5, 0.5);
        RiskControlledChoice choice = LearnThenTest.Calibrate(Hand, RiskFamilies.Create("max-prob", null, 3), limit);

        Assert.Equal(216, choice.AcceptedCount);
        Assert.Equal(217, choice.Steps.Length); // the first step not rejected is kept, to show where it stopped
        Assert.Equal(1 - Math.Pow(10, -0.625), choice.Chosen!.Parameter, 12);
        Assert.Equal(0.25, choice.Chosen.Risk);
        Assert.Equal(5.0 / 16, choice.Chosen.PValue, 12);
        Assert.Equal(0.0625, choice.Steps[0].PValue, 12);
        Assert.Equal(0.5, choice.Steps[^1].Risk);
        Assert.Equal(11.0 / 16, choice.Steps[^1].PValue, 12);
        Assert.Equal(new PolicySpec("max-prob", choice.Chosen.Parameter), choice.Policy);
        Assert.False(choice.FellBack);
    }

    [Fact]
    public void When_nothing_passes_the_full_model_is_deployed_and_said()
    {
        // n = 4 cannot show an error ≤ 0.1: the full model itself is wrong on s3 (k = 1), so the first
        // step has p = 0.9^4 + 4·0.1·0.9^3 = 0.9477 > δ; and even k = 0 would give 0.9^4 = 0.656.
        RiskControlledChoice choice = LearnThenTest.Calibrate(Hand, RiskFamilies.Create("max-prob", null, 3), new RiskLimit(RiskMeasure.Error, 0.1, 0.1));
        Assert.True(choice.FellBack);
        Assert.Null(choice.Chosen);
        Assert.Equal(new PolicySpec("static", 3), choice.Policy);
        Assert.Single(choice.Steps);
        Assert.Equal(0.9477, choice.Steps[0].PValue, 12);
        Assert.StartsWith("no max-prob setting passed the test for error:0.1 at 0.9 confidence on 4 calibration samples: the full model runs (static:3)", choice.Describe());
    }

    [Fact]
    public void The_accuracy_gap_compares_with_the_full_models_errors()
    {
        // Full model right on s0, s1, s2 (3/4). τ in (.75, .9]: answers (0, 0, 0, 0), 2/4 right: gap 1/4.
        var limit = new RiskLimit(RiskMeasure.AccuracyGap, 0.5, 0.5);
        RiskControlledChoice choice = LearnThenTest.Calibrate(Hand, RiskFamilies.Create("max-prob", null, 3), limit);
        RiskControlStep first = choice.Steps[0];
        Assert.Equal(0, first.Risk);
        // No early exit at the first step: gap 0, no lost answer. Hoeffding–Bentkus on (ℓ + 1)/2 = ½ against
        // ε' = 0.75: exp(−4·h(½, ¾)) = 0.563 (Bentkus e·P(Bin(4, ¾) ≤ 2) = 0.711); the lost answers' binomial
        // P(Bin(4, ½) ≤ 0) = 1/16. p = 2·min = 0.125.
        Assert.Equal(0.125, first.PValue, 12);
        Assert.Equal(0.125, RiskPValues.AccuracyGapWithLosses(4, 0, 0, 0.5), 12);
        Assert.Equal(Math.Exp(-4 * ((0.5 * Math.Log(0.5 / 0.75)) + (0.5 * Math.Log(0.5 / 0.25)))), RiskPValues.AccuracyGap(4, 0, 0.5), 12);
    }

    [Fact]
    public void On_synthetic_traces_of_known_risk_the_chosen_threshold_violates_the_limit_at_most_delta_of_the_time()
    {
        // KnownRiskTraces: R(τ) = 0.8(1 − τ)², so with ε = 0.05, R(τ) ≤ ε ⟺ τ ≥ 0.75.
        const int n = 300, draws = 1000;
        var limit = new RiskLimit(RiskMeasure.Disagreement, 0.05, 0.1);
        var family = RiskFamilies.Create("max-prob", null, 2);
        var random = new SplitMix64(7);
        int violations = 0, fellBack = 0;
        double speedups = 0;
        for (int d = 0; d < draws; d++)
        {
            RiskControlledChoice choice = LearnThenTest.Calibrate(new TraceEvaluator(KnownRiskTraces.Draw(n, ref random)), family, limit);
            if (choice.FellBack) { fellBack++; continue; }
            if (KnownRiskTraces.TrueRisk(choice.Chosen!.Parameter) > limit.Epsilon) violations++;
            speedups += choice.Chosen.SpeedupRatio;
        }
        double rate = (double)violations / draws;
        // δ plus 3 Monte Carlo standard errors of a rate of δ over 1,000 draws.
        Assert.True(rate <= 0.1 + (3 * Math.Sqrt(0.1 * 0.9 / draws)), $"violation rate {rate}");
        // And it is not the empty guarantee: nearly every draw finds a threshold that saves compute
        // (the safe region τ ≥ 0.75 lets out half the samples).
        Assert.True(fellBack < draws / 10, $"{fellBack} draws fell back to the full model");
        Assert.True(speedups / (draws - fellBack) > 1.2, $"mean speed-up {speedups / (draws - fellBack)}");
    }

    [Fact]
    public void Families_with_state_fitted_on_the_data_are_refused_by_name() =>
        Assert.StartsWith("risk control cannot test policy 'pcee'; it tests max-prob, normalized-entropy, beem-c, patience",
            Assert.Throws<ArgumentException>(() => RiskFamilies.Create("pcee", null, 3)).Message);

    [Fact]
    public void Every_family_grid_runs_from_the_most_compute_to_the_least()
    {
        var calibration = ExitCalibration.Fit(Hand);
        foreach (string name in RiskFamilies.Names)
        {
            PolicyFamily family = RiskFamilies.Create(name, calibration, 3);
            TradeoffCurve curve = Hand.Sweep(family.Create, family.Grid);
            for (int j = 1; j < curve.Points.Length; j++)
                Assert.True(curve.Points[j].SpeedupRatio >= curve.Points[j - 1].SpeedupRatio, $"{name}: step {j} costs more than step {j - 1}");
            Assert.Equal(1.0, curve.Points[0].SpeedupRatio); // the first step is the full model on this trace
        }
    }
}
