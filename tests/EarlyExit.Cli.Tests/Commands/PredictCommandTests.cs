using EarlyExit.Cli.Tests.TestDoubles;
using EarlyExit.Core.Catalog;

namespace EarlyExit.Cli.Tests.Commands;

/// <summary>predict's user errors: each is status 1 and one line on stderr, no stack trace.</summary>
[Collection(MiniLmCollection.Name)]
public sealed class PredictCommandTests(TrainedModelFixture model)
{
    [Fact]
    public void A_missing_model_folder_is_a_user_error_that_says_how_to_make_one()
    {
        string missing = Path.Combine(model.Root, "no-such-model");
        CliRun run = CliRun.Of("predict", "--model", missing, "hello");

        Assert.Equal(1, run.Status);
        Assert.Equal([$"earlyexit: --model {missing}: no such folder; train a model first (earlyexit train --data DATA --out {missing})"], run.ErrorLines);
    }

    [Fact]
    public void A_folder_without_a_checkpoint_is_a_user_error()
    {
        string empty = Directory.CreateDirectory(Path.Combine(model.Root, "empty-" + Guid.NewGuid().ToString("N"))).FullName;
        CliRun run = CliRun.Of("predict", "--model", empty, "hello");

        Assert.Equal(1, run.Status);
        Assert.Equal([$"earlyexit: --model {empty}: not a model folder (no checkpoint.json); train one with earlyexit train --data DATA --out {empty}"], run.ErrorLines);
    }

    [Fact]
    public void A_corrupt_checkpoint_json_is_a_user_error_naming_the_file()
    {
        string copy = model.CopyModel();
        File.WriteAllText(Path.Combine(copy, "checkpoint.json"), "{ this is not json");
        CliRun run = CliRun.Of("predict", "--model", copy, "hello");

        Assert.Equal(1, run.Status);
        Assert.Single(run.ErrorLines);
        Assert.StartsWith($"earlyexit: --model {copy}: corrupt checkpoint: {Path.Combine(copy, "checkpoint.json")} is not valid checkpoint metadata", run.Error);
    }

    [Fact]
    public void Truncated_weights_are_a_user_error_naming_the_file()
    {
        string copy = model.CopyModel();
        string weights = Path.Combine(copy, "model.safetensors");
        using (var stream = new FileStream(weights, FileMode.Open)) stream.SetLength(stream.Length / 2);
        CliRun run = CliRun.Of("predict", "--model", copy, "hello");

        Assert.Equal(1, run.Status);
        Assert.Single(run.ErrorLines);
        Assert.StartsWith($"earlyexit: --model {copy}: corrupt checkpoint: {weights}", run.Error);
    }

    [Fact]
    public void An_unknown_policy_lists_the_valid_ones()
    {
        CliRun run = CliRun.Of("predict", "--model", model.ModelPath, "--policy", "fastest", "hello");

        Assert.Equal(1, run.Status);
        Assert.Equal([$"earlyexit: --policy fastest: unknown policy 'fastest'; valid policies: {string.Join(", ", PolicyCatalog.Names)}"], run.ErrorLines);
    }

    [Theory]
    [InlineData("pcee", "1.5")]
    [InlineData("pcee-ws", "-0.1")]
    public void A_delta_out_of_range_names_the_rule_and_the_value(string policy, string delta)
    {
        CliRun run = CliRun.Of("predict", "--model", model.ModelPath, "--policy", policy, "--param", delta, "hello");

        Assert.Equal(1, run.Status);
        Assert.Equal([$"earlyexit: --policy {policy}:{delta}: delta must be in [0, 1]; got {delta}"], run.ErrorLines);
    }

    [Fact]
    public void An_oracle_cannot_predict()
    {
        CliRun run = CliRun.Of("predict", "--model", model.ModelPath, "--policy", "oracle", "hello");

        Assert.Equal(1, run.Status);
        Assert.StartsWith("earlyexit: --policy oracle is an evaluation bound", run.Error);
    }

    [Fact]
    public void No_text_at_all_is_a_user_error()
    {
        CliRun run = CliRun.WithInput("\n\n", "predict", "--model", model.ModelPath);

        Assert.Equal(1, run.Status);
        Assert.Equal(["earlyexit: no text to classify: give texts as arguments or one per line on stdin"], run.ErrorLines);
    }
}
