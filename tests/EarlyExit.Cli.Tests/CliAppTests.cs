using System.Text.Json;
using EarlyExit.Cli.Tests.TestDoubles;
using EarlyExit.Core.Catalog;

namespace EarlyExit.Cli.Tests;

/// <summary>
/// The whole command line on a tiny real pipeline: train (fixture) → calibrate (fixture) →
/// evaluate --json → predict, each through <see cref="CliApp.Run"/> as the binary runs it.
/// </summary>
[Collection(MiniLmCollection.Name)]
public sealed class CliAppTests(TrainedModelFixture model)
{
    [Fact]
    public void Train_writes_a_model_folder_and_a_table_of_exit_accuracies()
    {
        Assert.True(model.Train.Status == 0, model.Train.Error);
        Assert.True(File.Exists(Path.Combine(model.ModelPath, "checkpoint.json")));
        Assert.True(File.Exists(Path.Combine(model.ModelPath, "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(model.ModelPath, "training.json")));
        Assert.False(Directory.Exists(Path.Combine(model.ModelPath, "training")), "the trainer's working folder is removed once training completes");
        Assert.Contains("exit 6", model.Train.Out);
        Assert.Contains("model written to", model.Train.Out);
    }

    [Fact]
    public void Calibrate_stores_the_calibration_in_the_checkpoint_and_caches_the_validation_trace()
    {
        Assert.True(model.Calibrate.Status == 0, model.Calibrate.Error);
        using var checkpoint = JsonDocument.Parse(File.ReadAllText(Path.Combine(model.ModelPath, "checkpoint.json")));
        JsonElement calibration = checkpoint.RootElement.GetProperty("calibration");
        Assert.Equal(6, calibration.GetProperty("exit_accuracies").GetArrayLength());
        Assert.True(File.Exists(Path.Combine(model.ModelPath, "validation.eetrace")));
        Assert.Contains("default policy: pcee:", model.Calibrate.Out);
        Assert.Contains("BEEM-C α", model.Calibrate.Out);
    }

    [Fact]
    public void Evaluate_json_has_a_row_for_every_policy_with_every_measure()
    {
        string json = Path.Combine(model.Root, "evaluation.json");
        CliRun run = CliRun.Of("evaluate", "--model", model.ModelPath, "--data", model.DataSpec, "--json", json);

        Assert.True(run.Status == 0, run.Error);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement root = document.RootElement;
        Assert.Equal("test", root.GetProperty("split").GetString());
        Assert.Equal(6, root.GetProperty("per_exit_accuracy").GetArrayLength());
        double final = root.GetProperty("final_exit_accuracy").GetDouble();
        Assert.Equal(root.GetProperty("per_exit_accuracy")[5].GetDouble(), final, 12);
        var rows = root.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(PolicyCatalog.Names.Order(), rows.Select(r => r.GetProperty("policy").GetString()!).Distinct().Order());
        foreach (JsonElement row in rows)
        {
            foreach (string field in new[] { "policy", "parameter", "accuracy", "macro_f1", "speedup", "expected_compute", "premature_rate", "delayed_rate" })
                Assert.True(row.TryGetProperty(field, out _), $"row {row} lacks {field}");
            double speedup = row.GetProperty("speedup").GetDouble();
            Assert.InRange(speedup, 1.0, 6.0);
        }
        // Static k = 6 is the model without early exit: all samples at the last exit, accuracy = the final exit's.
        JsonElement full = rows.Single(r => r.GetProperty("policy").GetString() == "static" && r.GetProperty("parameter").GetDouble() == 6);
        Assert.Equal(final, full.GetProperty("accuracy").GetDouble(), 12);
        Assert.Equal(1.0, full.GetProperty("speedup").GetDouble(), 12);
        Assert.Contains("final exit accuracy", run.Out);
        Assert.True(File.Exists(Path.Combine(model.ModelPath, "test.eetrace")));
    }

    [Fact]
    public void Predict_prints_label_probability_exit_and_compute_for_each_text_from_arguments_or_stdin()
    {
        CliRun fromArguments = CliRun.Of("predict", "--model", model.ModelPath, "--policy", "max-prob", "--param", "0.5",
            "free cash prize click now", "meeting agenda for the project review");
        CliRun fromStdin = CliRun.WithInput("free cash prize click now\n\nmeeting agenda for the project review\n",
            "predict", "--model", model.ModelPath, "--policy", "max-prob", "--param", "0.5");

        Assert.True(fromArguments.Status == 0, fromArguments.Error);
        string[] lines = fromArguments.Out.TrimEnd().Split('\n');
        Assert.Equal("label\tprobability\texit\tcompute\ttext", lines[0]);
        Assert.Equal(3, lines.Length);
        string[] first = lines[1].Split('\t');
        Assert.Contains(first[0], new[] { "ham", "spam" });
        Assert.InRange(double.Parse(first[1], System.Globalization.CultureInfo.InvariantCulture), 0.5, 1.0);
        // max-prob ≥ 0.5 always holds for 2 classes: every text leaves at the first exit.
        Assert.Equal("1/6", first[2]);
        Assert.Equal("free cash prize click now", first[4]);
        Assert.Equal(fromArguments.Out, fromStdin.Out);
    }

    [Fact]
    public void Predict_with_the_calibrated_default_policy_says_which_policy_runs()
    {
        CliRun run = CliRun.Of("predict", "--model", model.ModelPath, "weekly team notes");

        Assert.True(run.Status == 0, run.Error);
        Assert.StartsWith("policy pcee:", run.Error);
    }

    [Fact]
    public void Report_writes_a_self_contained_page_and_its_plots()
    {
        string folder = Path.Combine(model.Root, "report");
        CliRun run = CliRun.Of("report", "--model", model.ModelPath, "--data", model.DataSpec, "--out", folder);

        Assert.True(run.Status == 0, run.Error);
        Assert.Equal(Path.Combine(folder, "index.html"), run.Out.Trim());
        string html = File.ReadAllText(Path.Combine(folder, "index.html"));
        Assert.Equal(10, html.Split("data:image/png;base64,").Length - 1); // trade-off, 6 diagrams, histogram, PCEE control, PCEE's figure 1
        foreach (string png in new[] { "tradeoff.png", "reliability-exit-1.png", "reliability-exit-6.png", "exit-histogram.png", "pcee-control.png", "pcee-error-vs-flops.png" })
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(folder, png));
            Assert.True(bytes.Length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', $"{png} is not a PNG");
        }
    }

    [Fact]
    public void A_missing_required_option_is_one_line_and_status_1()
    {
        CliRun run = CliRun.Of("train", "--out", "somewhere");

        Assert.Equal(1, run.Status);
        Assert.Equal(["earlyexit: Option '--data' is required. (see: earlyexit train --help)"], run.ErrorLines);
    }

    [Fact]
    public void An_unknown_command_is_named()
    {
        CliRun run = CliRun.Of("serve-me");

        Assert.Equal(1, run.Status);
        Assert.Equal(["earlyexit: unknown command or argument 'serve-me' (see: earlyexit --help)"], run.ErrorLines);
    }

    [Fact]
    public void Help_of_every_command_ends_with_its_examples()
    {
        foreach (string command in new[] { "demo", "train", "calibrate", "evaluate", "predict", "report", "export" })
        {
            CliRun run = CliRun.Of(command, "--help");
            Assert.Equal(0, run.Status);
            Assert.Contains("Examples:\n  earlyexit " + command, run.Out.ReplaceLineEndings("\n"));
        }
    }
}
