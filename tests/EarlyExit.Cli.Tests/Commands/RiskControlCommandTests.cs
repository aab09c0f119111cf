using System.Text.Json.Nodes;
using EarlyExit.Cli.Tests.TestDoubles;
using EarlyExit.Core.Calibration;
using EarlyExit.Core.Catalog;

namespace EarlyExit.Cli.Tests.Commands;

/// <summary>calibrate --risk (Learn-then-Test, docs/algorithms.md §5) and evaluate --resample, through the command line.</summary>
[Collection(MiniLmCollection.Name)]
public sealed class RiskControlCommandTests(TrainedModelFixture model)
{
    [Fact]
    public void Calibrate_with_a_risk_stores_the_choice_as_the_default_policy_and_states_the_guarantee()
    {
        string copy = model.CopyModel();
        CliRun run = CliRun.Of("calibrate", "--model", copy, "--data", model.DataSpec, "--risk", "disagreement:0.3", "--confidence", "0.8");

        Assert.Equal(0, run.Status);
        JsonObject stored = JsonNode.Parse(File.ReadAllText(Path.Combine(copy, "checkpoint.json")))!["calibration"]!.AsObject();
        ExitCalibration calibration = ExitCalibrationJson.FromJsonObject(stored, "checkpoint.json");
        var risk = calibration.RiskControl!;
        Assert.Equal("disagreement:0.3", risk.Limit.ToString());
        Assert.Equal(0.2, risk.Limit.Delta, 12);
        Assert.Equal(risk.Policy, calibration.DefaultPolicy);
        // Every accepted step's p-value is ≤ δ; the one after them (if any) is above it.
        Assert.All(risk.Steps.Take(risk.AcceptedCount), s => Assert.True(s.PValue <= 0.2));
        if (risk.Steps.Length > risk.AcceptedCount) Assert.True(risk.Steps[risk.AcceptedCount].PValue > 0.2);
        Assert.Contains($"guarantee: {risk.Describe()}", run.Out);
        Assert.Contains($"default policy: {calibration.DefaultPolicy}", run.Out);

        // predict runs the stored policy when none is named: its answers are those of --policy with the same spec.
        CliRun implicitPolicy = CliRun.Of("predict", "--model", copy, "A cheap offer, click now", "Meeting moved to Tuesday");
        PolicySpec spec = calibration.DefaultPolicy;
        CliRun explicitPolicy = CliRun.Of("predict", "--model", copy, "--policy", spec.Name, "--param", spec.Parameter!.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            "A cheap offer, click now", "Meeting moved to Tuesday");
        Assert.Equal(0, implicitPolicy.Status);
        Assert.Equal(explicitPolicy.Out, implicitPolicy.Out);
    }

    [Theory]
    [InlineData("--risk", "loss:0.1", "earlyexit: --risk: unknown risk 'loss' in 'loss:0.1'; valid risks: disagreement, error, gap")]
    [InlineData("--risk", "error:2", "earlyexit: --risk: the risk limit ε must be between 0 and 1 (exclusive); got 2")]
    [InlineData("--confidence", "1.5", "earlyexit: --confidence must be between 0 and 1 (exclusive); got 1.5")]
    [InlineData("--risk-policy", "pcee", "earlyexit: --risk-policy: risk control cannot test 'pcee'; it tests max-prob, normalized-entropy, beem-c, patience (policies with nothing fitted on the validation data)")]
    public void Bad_risk_options_are_one_line_errors(string option, string value, string message)
    {
        string[] args = option == "--risk"
            ? ["calibrate", "--model", model.ModelPath, "--data", model.DataSpec, option, value]
            : ["calibrate", "--model", model.ModelPath, "--data", model.DataSpec, "--risk", "error:0.1", option, value];
        CliRun run = CliRun.Of(args);
        Assert.Equal(1, run.Status);
        Assert.Equal([message], run.ErrorLines);
    }

    [Fact]
    public void Evaluate_resample_prints_every_method_at_every_target_and_a_verdict()
    {
        CliRun run = CliRun.Of("evaluate", "--model", model.ModelPath, "--data", model.DataSpec, "--resample", "30", "--risk-targets", "0.05,0.1");

        Assert.Equal(0, run.Status);
        Assert.Contains("risk control, checked: 30 random halves", run.Out);
        foreach (string method in Core.RiskControl.ResampleCheck.Methods)
        {
            Assert.Contains(run.Out.Split('\n'), l => l.StartsWith("0.05", StringComparison.Ordinal) && l.Contains(method, StringComparison.Ordinal));
            Assert.Contains(run.Out.Split('\n'), l => l.StartsWith("0.1 ", StringComparison.Ordinal) && l.Contains(method, StringComparison.Ordinal));
        }
        Assert.Contains("verdict: risk control's chosen setting exceeded ε on the pool in at most", run.Out);
    }

    [Theory]
    [InlineData("earlyexit: --resample must be a positive number of draws; got -3", "--resample", "-3")]
    [InlineData("earlyexit: --risk-targets: each entry must be a number between 0 and 1 (exclusive); got '0' in '0,0.1'", "--resample", "10", "--risk-targets", "0,0.1")]
    [InlineData("earlyexit: --resample pools the validation and test splits; it cannot run with --split validation", "--resample", "10", "--split", "validation")]
    public void Bad_resample_options_are_one_line_errors(string message, params string[] options)
    {
        CliRun run = CliRun.Of(["evaluate", "--model", model.ModelPath, "--data", model.DataSpec, .. options]);
        Assert.Equal(1, run.Status);
        Assert.Equal([message], run.ErrorLines);
    }
}
