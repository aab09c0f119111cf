using EarlyExit.Core.Calibration;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Tests.TestDoubles;

namespace EarlyExit.Core.Tests.Calibration;

public class ExitCalibrationTests
{
    [Fact]
    public void Fit_OnTheFourSampleTrace_GivesHandValues()
    {
        // HandTraces.FourSamples (synthetic): right per exit s0 RRR, s1 WRR, s2 WRR, s3 WWW
        // → exit accuracies 1/4, 3/4, 3/4; default δ = floor(0.75 · 100) / 100 = 0.75.
        var calibration = ExitCalibration.Fit(new TraceEvaluator(HandTraces.FourSamples()));
        Assert.Equal(4, calibration.SampleCount);
        Assert.Equal([0.25, 0.75, 0.75], calibration.ExitAccuracies.ToArray());
        Assert.Equal("pcee", calibration.DefaultPolicy.Name);
        Assert.Equal(0.75, calibration.DefaultPolicy.Parameter);
        // Exit 1 confidences .75 (right), .9 (wrong), .75 (wrong), .75 (wrong): bin 7 holds 3 with
        // 1 right; the single-precision 0.9 (0.89999…) falls in bin 8, which holds 1 with 0 right.
        var first = calibration.Diagrams[0];
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 3, 1, 0], first.Counts.ToArray());
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 1, 0, 0], first.CorrectCounts.ToArray());
        // BEEM-C weights are λ·m with λ = 1/M = 1/3: 1/3, 2/3, 1 (every weight in (0, 1], as the
        // BEEM paper assumes); BEEM-A weights the exit accuracies.
        Assert.Equal([1.0 / 3, 2.0 / 3, 1.0], calibration.BeemCost.Weights.ToArray());
        Assert.Equal(1.0 / 3, calibration.BeemLambda);
        Assert.Equal([0.25, 0.75, 0.75], calibration.BeemAccuracy.Weights.ToArray());
    }

    [Fact]
    public void Beem_lambda_search_set_and_minimum_count_are_options()
    {
        // FourSamples, exit 1: predictions (0, 0, 1, 0), confidences .75, .9, .75, .75; labels (0, 1, 0, 1),
        // so only s0 is right there; the final exit errs on s3 alone: p = 1/4. S_1 = λ·C_1.
        // λ = 1, candidates {0.7}: all four stop, q = 3/4 > p → α_1 = +∞ (and S_1 = C_1 ≤ 0.9).
        var evaluator = new TraceEvaluator(HandTraces.FourSamples());
        var one = ExitCalibration.Fit(evaluator, beemSearchSet: [0.7], beemLambda: 1);
        Assert.Equal([1.0, 2.0, 3.0], one.BeemCost.Weights.ToArray());
        Assert.Equal(double.PositiveInfinity, one.BeemCost.Exits[0].Threshold);
        Assert.Equal(4, one.BeemCost.Exits[0].ReachingCount);
        // λ = 1/3 (default), candidates {0.2}: S_1 = C_1/3 ≥ 0.25 for all four: the same q = 3/4 → +∞;
        // the minimum count is stored with the fit.
        var small = ExitCalibration.Fit(evaluator, beemSearchSet: [0.2], beemMinCount: 2);
        Assert.Equal(2, small.BeemCost.MinCount);
        Assert.Equal(double.PositiveInfinity, small.BeemCost.Exits[0].Threshold);
        Assert.Throws<ArgumentOutOfRangeException>(() => ExitCalibration.Fit(evaluator, beemLambda: 0));
    }

    [Fact]
    public void A_calibration_stored_before_lambda_was_an_option_reads_as_lambda_one()
    {
        // What earlier calibrate wrote: BEEM-C weights m (λ = 1). The weights are stored, so λ follows.
        var evaluator = new TraceEvaluator(HandTraces.FourSamples());
        var old = ExitCalibration.Fit(evaluator, beemLambda: 1);
        var read = ExitCalibrationJson.FromJson(ExitCalibrationJson.ToJson(old), "old.json");
        Assert.Equal(1.0, read.BeemLambda);
        Assert.Equal(old.BeemCost.Thresholds.ToArray(), read.BeemCost.Thresholds.ToArray());
        Assert.Equal(ExitCalibration.DefaultPceeWsHalfWidth, read.PceeWsHalfWidth);
        Assert.DoesNotContain("pcee_ws_half_width", ExitCalibrationJson.ToJson(old));
        var wide = ExitCalibrationJson.FromJson(ExitCalibrationJson.ToJson(old with { PceeWsHalfWidth = 3 }), "wide.json");
        Assert.Equal(3, wide.PceeWsHalfWidth);
    }

    [Fact]
    public void The_default_delta_is_one_value_for_the_default_policy_and_every_pcee_variant()
    {
        // FourSamples: final exit accuracy 3/4 → δ 0.75; on agreement 0.99.
        var evaluator = new TraceEvaluator(HandTraces.FourSamples());
        foreach (var target in new[] { PceeTarget.Correctness, PceeTarget.Agreement })
        {
            var calibration = ExitCalibration.Fit(evaluator, target: target);
            double expected = target == PceeTarget.Agreement ? 0.99 : 0.75;
            Assert.Equal(expected, calibration.DefaultDelta);
            Assert.Equal(expected, calibration.DefaultPolicy.Parameter);
            foreach (string name in PceePolicy.Names)
                Assert.Equal(expected, PolicyCatalog.Create(new PolicySpec(name), calibration, 3).Parameter);
        }
    }

    [Fact]
    public void Constructor_RejectsPerExitArraysOfTheWrongLength()
    {
        var fitted = ExitCalibration.Fit(new TraceEvaluator(HandTraces.FourSamples()));
        var error = Assert.Throws<ArgumentException>(() =>
            new ExitCalibration(4, [0.5, 0.5], fitted.Diagrams, fitted.BeemCost, fitted.BeemAccuracy, fitted.DefaultPolicy));
        Assert.Contains("diagrams has 3 exits; the calibration has 2", error.Message);
    }

    [Fact]
    public void Constructor_RejectsAnAccuracyOutsideZeroOne()
    {
        var f = ExitCalibration.Fit(new TraceEvaluator(HandTraces.FourSamples()));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new ExitCalibration(4, [0.5, 1.5, 0.5], f.Diagrams, f.BeemCost, f.BeemAccuracy, f.DefaultPolicy));
        Assert.Contains("exitAccuracies[1] must be in [0, 1]; got 1.5", error.Message);
    }
}
