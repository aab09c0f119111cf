using EarlyExit.Core.Calibration;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.RiskControl;
using EarlyExit.Core.Tests.TestDoubles;

namespace EarlyExit.Core.Tests.RiskControl;

/// <summary>A calibration carrying a Learn-then-Test choice: its default policy, and its file round trip.</summary>
public sealed class RiskControlJsonTests
{
    private static readonly TraceEvaluator Random = new(HandTraces.Random(400, 6, 3, seed: 11));

    [Fact]
    public void The_choice_becomes_the_default_policy_and_survives_the_file()
    {
        var fitted = ExitCalibration.Fit(Random);
        RiskControlledChoice choice = LearnThenTest.Calibrate(Random, RiskFamilies.Create("max-prob", fitted, 6), new RiskLimit(RiskMeasure.Disagreement, 0.2, 0.1));
        Assert.False(choice.FellBack); // the synthetic exits agree often enough with the last for ε = 0.2
        ExitCalibration withRisk = fitted.WithRiskControl(choice);
        Assert.Equal(choice.Policy, withRisk.DefaultPolicy);

        ExitCalibration read = ExitCalibrationJson.FromJson(ExitCalibrationJson.ToJson(withRisk), "calibration.json");

        Assert.Equal(choice.Policy, read.DefaultPolicy);
        Assert.Equal(choice.Limit, read.RiskControl!.Limit);
        Assert.Equal(choice.AcceptedCount, read.RiskControl.AcceptedCount);
        Assert.Equal(choice.Steps.ToArray(), read.RiskControl.Steps.ToArray());
        Assert.Equal(choice.Describe(), read.RiskControl.Describe());
        // Without --risk the field is absent, and files without it read as before.
        Assert.DoesNotContain("risk_control", ExitCalibrationJson.ToJson(fitted));
        Assert.Null(ExitCalibrationJson.FromJson(ExitCalibrationJson.ToJson(fitted), "x").RiskControl);
    }

    [Fact]
    public void A_bad_measure_in_the_file_is_named()
    {
        var fitted = ExitCalibration.Fit(Random);
        var choice = LearnThenTest.Calibrate(Random, RiskFamilies.Create("max-prob", fitted, 6), new RiskLimit(RiskMeasure.Error, 0.5, 0.1));
        var json = ExitCalibrationJson.ToJsonObject(fitted.WithRiskControl(choice));
        json["risk_control"]!["measure"] = "loss";
        var error = Assert.Throws<InvalidDataException>(() => ExitCalibrationJson.FromJsonObject(json, "m/calibration.json"));
        Assert.Equal("m/calibration.json: calibration is inconsistent: field 'risk_control.measure' must be one of disagreement, error, gap; got 'loss'", error.Message);
    }
}
