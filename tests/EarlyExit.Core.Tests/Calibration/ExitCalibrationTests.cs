using EarlyExit.Core.Calibration;
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
        // BEEM-C weights are 1, 2, 3 (λ = 1); BEEM-A weights the exit accuracies.
        Assert.Equal([1.0, 2.0, 3.0], calibration.BeemCost.Weights.ToArray());
        Assert.Equal([0.25, 0.75, 0.75], calibration.BeemAccuracy.Weights.ToArray());
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
