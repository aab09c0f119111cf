using System.Text.Json.Nodes;
using EarlyExit.Cli.Tests.TestDoubles;
using EarlyExit.Core.Calibration;

namespace EarlyExit.Cli.Tests.Commands;

/// <summary>calibrate's BEEM and PCEE-WS options (docs/algorithms.md §2.3, §2.5), through the command line.</summary>
[Collection(MiniLmCollection.Name)]
public sealed class CalibrateBeemOptionsTests(TrainedModelFixture model)
{
    private static ExitCalibration Stored(string folder) => ExitCalibrationJson.FromJsonObject(
        JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "checkpoint.json")))!["calibration"]!.AsObject(), "checkpoint.json");

    [Fact]
    public void Lambda_alphas_min_count_and_the_pcee_ws_width_are_stored_with_the_calibration()
    {
        string copy = model.CopyModel();
        CliRun defaults = CliRun.Of("calibrate", "--model", copy, "--data", model.DataSpec);
        Assert.Equal(0, defaults.Status);
        ExitCalibration byDefault = Stored(copy);
        int exits = byDefault.ExitCount;
        Assert.Equal(1.0 / exits, byDefault.BeemLambda, 12);
        Assert.Equal(1.0, byDefault.BeemCost.Weights[^1], 12); // w_M = λ·M = 1
        Assert.Equal(ExitCalibration.DefaultPceeWsHalfWidth, byDefault.PceeWsHalfWidth);

        CliRun run = CliRun.Of("calibrate", "--model", copy, "--data", model.DataSpec,
            "--beem-lambda", "0.5", "--beem-alphas", "0.25, 0.5,1", "--beem-min-count", "3", "--pcee-ws-width", "2");
        Assert.Equal(0, run.Status);
        ExitCalibration calibration = Stored(copy);
        Assert.Equal(0.5, calibration.BeemLambda);
        Assert.Equal(Enumerable.Range(1, exits).Select(m => 0.5 * m), calibration.BeemCost.Weights);
        Assert.Equal(3, calibration.BeemCost.MinCount);
        Assert.Equal(3, calibration.BeemAccuracy.MinCount);
        // Every finite threshold eq. 3 chose is one of the candidates (the last exit's 0 is forced).
        Assert.All(calibration.BeemCost.Thresholds.Take(exits - 1).Where(double.IsFinite), a => Assert.Contains(a, new[] { 0.25, 0.5, 1 }));
        Assert.All(calibration.BeemCost.Exits.Take(exits - 1).Where(e => double.IsFinite(e.Threshold)), e => Assert.True(e.StoppingCount >= 3));
        Assert.Equal(2, calibration.PceeWsHalfWidth);
        Assert.Contains("BEEM-C λ = 0.5, at least 3 stopping sample(s) per α", run.Out);
    }

    [Theory]
    [InlineData("earlyexit: --beem-lambda must be a positive number; got 0", "--beem-lambda", "0")]
    [InlineData("earlyexit: --beem-alphas: each entry must be a number ≥ 0; got 'x' in '0.5,x'", "--beem-alphas", "0.5,x")]
    [InlineData("earlyexit: --beem-min-count must be at least 1; got 0", "--beem-min-count", "0")]
    [InlineData("earlyexit: --pcee-ws-width must be 0 or more bins; got -1", "--pcee-ws-width", "-1")]
    public void Bad_options_are_one_line_errors(string message, string option, string value)
    {
        CliRun run = CliRun.Of("calibrate", "--model", model.ModelPath, "--data", model.DataSpec, option, value);
        Assert.Equal(1, run.Status);
        Assert.Equal([message], run.ErrorLines);
    }
}
