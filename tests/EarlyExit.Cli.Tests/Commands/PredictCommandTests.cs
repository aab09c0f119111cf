using System.Globalization;
using EarlyExit.Cli.Tests.TestDoubles;
using EarlyExit.Core.Catalog;

namespace EarlyExit.Cli.Tests.Commands;

/// <summary>predict's user errors (each is status 1 and one line on stderr, no stack trace) and its backends.</summary>
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

    [Fact]
    public void An_unknown_backend_is_one_line_naming_the_option_and_the_valid_backends()
    {
        CliRun run = CliRun.Of("predict", "--model", model.ModelPath, "--backend", "gpu", "hello");

        Assert.Equal(1, run.Status);
        Assert.Equal(["earlyexit: --backend gpu: unknown backend 'gpu'; valid backends: torch, onnx (see: earlyexit predict --help)"], run.ErrorLines);
    }

    [Fact]
    public void A_negative_onnx_thread_count_is_a_user_error()
    {
        CliRun run = CliRun.Of("predict", "--model", model.ModelPath, "--backend", "onnx", "--onnx-threads", "-1", "hello");

        Assert.Equal(1, run.Status);
        Assert.Equal(["earlyexit: --onnx-threads must be at least 0 (0 = ONNX Runtime's choice); got -1"], run.ErrorLines);
    }

    [Theory]
    [InlineData("max-prob", "0.9")]
    [InlineData("patience", "2")]
    [InlineData("pcee", "0.9")]
    public void The_onnx_backend_predicts_the_labels_and_exits_torch_does(string policy, string parameter)
    {
        string[] texts =
        [
            "free cash prize click now", "win a cheap bonus deal", "urgent credit offer winner",
            "meeting agenda for the project review", "team lunch tomorrow", "budget report draft notes",
            "free meeting", "the weather is nice today", "cash for the project budget", "hello",
        ];
        string[] common = ["predict", "--model", model.ModelPath, "--policy", policy, "--param", parameter, .. texts];
        CliRun torch = CliRun.Of(common);
        CliRun onnx = CliRun.Of([.. common, "--backend", "ONNX", "--onnx-threads", "1"]);

        Assert.True(torch.Status == 0, torch.Error);
        Assert.True(onnx.Status == 0, onnx.Error);
        Assert.Contains(" on torch", torch.ErrorLines[0]); // the default backend
        Assert.Contains(" on onnx", onnx.ErrorLines[0]);
        string[][] expected = Rows(torch.Out), actual = Rows(onnx.Out);
        Assert.Equal(texts.Length, actual.Length);
        for (int i = 0; i < texts.Length; i++)
        {
            // label, exit and compute are equal; the probabilities, printed to 4 decimals, differ by at
            // most one step of the last digit (values within 1e-4 round at most 1e-4 apart).
            Assert.Equal(new[] { expected[i][0], expected[i][2], expected[i][3], expected[i][4] }, new[] { actual[i][0], actual[i][2], actual[i][3], actual[i][4] });
            double difference = Math.Abs(double.Parse(expected[i][1], CultureInfo.InvariantCulture) - double.Parse(actual[i][1], CultureInfo.InvariantCulture));
            Assert.True(difference <= 1e-4 + 1e-12, $"{texts[i]}: probability {actual[i][1]} on onnx, {expected[i][1]} on torch");
        }
    }

    // The prediction lines, split into columns (label, probability, exit, compute, text), without the header.
    private static string[][] Rows(string stdout) => [.. stdout.TrimEnd().Split('\n').Skip(1).Select(line => line.Split('\t'))];
}
