using EarlyExit.Cli.Commands;
using EarlyExit.Cli.Tests.TestDoubles;
using EarlyExit.Core.Signals;

namespace EarlyExit.Cli.Tests.Commands;

/// <summary>train's --cosee-* options (docs/algorithms.md §3.4).</summary>
[Collection(MiniLmCollection.Name)]
public sealed class CoseeSettingsTests(TrainedModelFixture model)
{
    [Fact]
    public void Unset_options_are_the_papers_and_set_ones_reach_the_objective()
    {
        Assert.Equal(new Torch.Training.CoseeOptions(), new CoseeSettings().ToOptions());
        var options = new CoseeSettings("entropy", Alpha: 0.5, BetaZero: 3, Thresholds: 7, Margin: 0.1).ToOptions();
        Assert.Equal((ExitSignal.Entropy, 0.5, 3.0, 7, 0.1), (options.Signal, options.CalibrationWeight, options.BetaZero, options.ThresholdCount, options.Margin));
        var objective = Assert.IsType<Torch.Training.CoseeObjective>(TrainCommand.CreateObjective("cosee", 2, cosee: options));
        Assert.Equal(options, objective.Options);
        Assert.Equal("entropy", (string?)CoseeSettings.ToJson(options)["signal"]);
    }

    [Theory]
    [InlineData("--cosee-signal must be one of normalized-energy, entropy, max-prob; got 'energy'", "energy", null, null, null)]
    [InlineData("--cosee-alpha must be a finite number ≥ 0; got -1", null, -1.0, null, null)]
    [InlineData("--cosee-beta0 must be a finite number ≥ 0; got NaN", null, null, double.NaN, null)]
    [InlineData("--cosee-thresholds must be at least 1; got 0", null, null, null, 0)]
    public void Bad_values_name_their_option(string message, string? signal, double? alpha, double? beta, int? k)
    {
        var e = Assert.Throws<CliException>(() => new CoseeSettings(signal, alpha, beta, k).ToOptions());
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Cosee_options_with_another_objective_are_refused_before_the_data_is_loaded()
    {
        CliRun run = CliRun.Of("train", "--data", model.DataSpec, "--out", Path.Combine(model.Root, "cosee-" + Guid.NewGuid().ToString("N")), "--cosee-beta0", "2");
        Assert.Equal(1, run.Status);
        Assert.Equal(["earlyexit: --cosee-signal, --cosee-alpha, --cosee-beta0, --cosee-thresholds and --cosee-margin apply to --objective cosee only"], run.ErrorLines);
    }
}
