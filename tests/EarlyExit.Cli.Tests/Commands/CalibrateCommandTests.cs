using EarlyExit.Cli.Tests.TestDoubles;
using EarlyExit.Data.Datasets;

namespace EarlyExit.Cli.Tests.Commands;

/// <summary>calibrate's and evaluate's user errors.</summary>
[Collection(MiniLmCollection.Name)]
public sealed class CalibrateCommandTests(TrainedModelFixture model)
{
    [Fact]
    public void A_bad_data_spec_lists_the_valid_forms()
    {
        CliRun run = CliRun.Of("calibrate", "--model", model.ModelPath, "--data", "spam");

        Assert.Equal(1, run.Status);
        Assert.Equal([$"earlyexit: --data: unknown dataset 'spam'; valid: {string.Join(", ", DatasetSpec.ValidForms)}"], run.ErrorLines);
    }

    [Fact]
    public void A_missing_data_file_is_a_user_error()
    {
        string missing = Path.Combine(model.Root, "nothing.csv");
        CliRun run = CliRun.Of("calibrate", "--model", model.ModelPath, "--data", "csv:" + missing);

        Assert.Equal(1, run.Status);
        Assert.EndsWith($"{missing} does not exist (expected a .csv file, or a folder with train.csv)", run.ErrorLines[^1]);
        Assert.DoesNotContain(run.ErrorLines, l => l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluating_an_uncalibrated_model_says_to_calibrate_first()
    {
        string copy = model.CopyModel();
        string checkpoint = Path.Combine(copy, "checkpoint.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(checkpoint))!.AsObject();
        json.Remove("calibration");
        File.WriteAllText(checkpoint, json.ToJsonString());
        CliRun run = CliRun.Of("evaluate", "--model", copy, "--data", model.DataSpec);

        Assert.Equal(1, run.Status);
        Assert.Equal([$"earlyexit: --model {copy} is not calibrated; run: earlyexit calibrate --model {copy} --data {model.DataSpec}"], run.ErrorLines);
    }

    [Fact]
    public void Zero_bins_is_a_user_error()
    {
        CliRun run = CliRun.Of("calibrate", "--model", model.ModelPath, "--data", model.DataSpec, "--bins", "0");

        Assert.Equal(1, run.Status);
        Assert.Equal(["earlyexit: --bins must be at least 1; got 0"], run.ErrorLines);
    }
}
