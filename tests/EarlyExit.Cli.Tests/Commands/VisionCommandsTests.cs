using System.Text.Json.Nodes;
using EarlyExit.Cli.Tests.TestDoubles;

namespace EarlyExit.Cli.Tests.Commands;

/// <summary>
/// train, calibrate, evaluate and report on vision model folders (<see cref="VisionModelsFixture"/>:
/// cnn-small and vit-small on synthetic images), the PCEE comparison, and the kind checks.
/// </summary>
[Collection(VisionCollection.Name)]
public sealed class VisionCommandsTests(VisionModelsFixture models)
{
    [Fact]
    public void Train_writes_a_vision_model_folder_with_its_config_and_normalisation()
    {
        Assert.True(models.TrainCnn.Status == 0, models.TrainCnn.Error);
        Assert.True(models.TrainVit.Status == 0, models.TrainVit.Error);
        Assert.Contains("training vit-small (Vit, 4 blocks of width 64, joint) from scratch on 180 16-pixel images", models.TrainVit.Error);
        var metadata = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(models.VitPath, "checkpoint.json")))!;
        Assert.Equal("Vision", (string?)metadata["kind"]);
        Assert.Equal(3, (int?)metadata["vision"]!["channels"]); // BMPs in colour → RGB
        Assert.Equal(16, (int?)metadata["vision"]!["imageSize"]);
        double mean = (double)metadata["vision"]!["pixelMean"]!;
        Assert.InRange(mean, 0.05, 0.5); // dim noise (≈ 30/255) with bright bars (≈ 228/255) on 2 of 16 rows
        var log = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(models.VitPath, "training.json")))!;
        Assert.Equal("vit-small", (string?)log["model"]);
        Assert.True((bool?)log["augment"]);
    }

    [Fact]
    public void Calibrate_records_traces_from_images()
    {
        Assert.True(models.CalibrateCnn.Status == 0, models.CalibrateCnn.Error);
        Assert.Contains("recording every exit on 20 validation examples", models.CalibrateCnn.Error);
        Assert.True(File.Exists(Path.Combine(models.CnnPath, "validation.eetrace")));
    }

    [Fact]
    public void Evaluate_with_compare_prints_the_claim_and_the_delta_table()
    {
        CliRun run = CliRun.Of("evaluate", "--model", models.CnnPath, "--data", models.DataSpec, "--compare", models.VitPath);

        Assert.True(run.Status == 0, run.Error);
        Assert.Contains($"PCEE's claim on test: this model with early exits vs {models.VitPath} at full depth", run.Out);
        foreach (string policy in new[] { "max-prob", "pcee", "pcee-ws" })
        {
            Assert.Contains(run.Out.Split('\n'), l => l.StartsWith(policy + " ", StringComparison.Ordinal) && l.Contains("at small's FLOPs", StringComparison.Ordinal));
            Assert.Contains(run.Out.Split('\n'), l => l.StartsWith(policy + " ", StringComparison.Ordinal) && l.Contains("matching small's accuracy", StringComparison.Ordinal));
        }
        Assert.Contains("verdict: ", run.Out);
        foreach (string delta in new[] { "0.80", "0.85", "0.90", "0.95", "0.98" })
            Assert.Contains(run.Out.Split('\n'), l => l.StartsWith(delta + " ", StringComparison.Ordinal));
    }

    [Fact]
    public void Report_with_compare_draws_pcee_figure_one()
    {
        string output = Path.Combine(models.Root, "report-" + Guid.NewGuid().ToString("N"));
        CliRun run = CliRun.Of("report", "--model", models.VitPath, "--data", models.DataSpec, "--compare", models.CnnPath, "--out", output);

        Assert.True(run.Status == 0, run.Error);
        byte[] png = File.ReadAllBytes(Path.Combine(output, "pcee-error-vs-flops.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        string html = File.ReadAllText(Path.Combine(output, "index.html"));
        Assert.Contains("Error vs compute (PCEE's figure 1)", html);
        Assert.Contains("δ vs realised accuracy", html);
    }

    [Fact]
    public void A_vision_model_refuses_text_and_a_text_model_refuses_images()
    {
        string csv = Path.Combine(models.Root, "texts.csv");
        File.WriteAllText(csv, "text,label\nhello,a\nworld,b\n");

        CliRun vision = CliRun.Of("train", "--data", "csv:" + csv, "--model", "vit-small", "--out", Path.Combine(models.Root, "never"));
        CliRun text = CliRun.Of("train", "--data", models.DataSpec, "--out", Path.Combine(models.Root, "never"));

        Assert.Equal(1, vision.Status);
        Assert.Equal([$"earlyexit: --data csv:{csv}: a text dataset; a vision model reads fashion-mnist, images:PATH"], vision.ErrorLines);
        Assert.Equal(1, text.Status);
        Assert.StartsWith($"earlyexit: --data {models.DataSpec}: an image dataset; a text model (--model minilm) reads", text.Error);
    }

    [Fact]
    public void An_unknown_model_lists_every_architecture()
    {
        CliRun run = CliRun.Of("train", "--data", models.DataSpec, "--model", "resnet50", "--out", Path.Combine(models.Root, "never"));

        Assert.Equal(1, run.Status);
        Assert.Equal(["earlyexit: --model must be one of minilm, hf:PATH, vit-small, vit-large, cnn-small, cnn-large; got 'resnet50'"], run.ErrorLines);
    }
}
