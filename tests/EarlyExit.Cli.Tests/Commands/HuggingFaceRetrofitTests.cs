using System.Text.Json.Nodes;
using EarlyExit.Cli.Tests.TestDoubles;

namespace EarlyExit.Cli.Tests.Commands;

/// <summary>
/// The retrofit path end to end through the command line, on synthetic mails and a tiny budget:
/// a plain classifier (final exit only, [CLS] pooling) exported as a Hugging Face folder, read back
/// with <c>hf:</c>, exits retrofitted by self-distillation without labels, exported again — and
/// the deployed model's answers never change.
/// </summary>
[Collection(MiniLmCollection.Name)]
public sealed class HuggingFaceRetrofitTests(TrainedModelFixture fixture)
{
    private string Folder(string name) => Path.Combine(fixture.Root, name + "-" + Guid.NewGuid().ToString("N")[..8]);

    private static string[] Texts { get; } = ["free cash prize click now winner", "agenda for the project meeting tomorrow", "cheap credit offer", "draft budget notes"];

    /// <summary>label, probability and exit of each text (predict's columns 1–3).</summary>
    private static string[] Answers(CliRun run) => [.. run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => string.Join('\t', l.Split('\t').Take(3)))];

    [Fact]
    public void A_plain_classifier_exported_imported_and_retrofitted_keeps_every_answer_and_its_weights()
    {
        string plain = Folder("plain"), exported = Folder("plain-hf"), retro = Folder("retro"), again = Folder("retro-hf");
        CliRun train = CliRun.Of("train", "--data", fixture.DataSpec, "--out", plain, "--objective", "final", "--pooling", "cls",
            "--freeze-backbone", "--max-length", "32", "--epochs", "1", "--learning-rate", "3e-3");
        Assert.True(train.Status == 0, train.Error);

        CliRun export = CliRun.Of("export", "--model", plain, "--format", "hf", "--out", exported);
        Assert.True(export.Status == 0, export.Error);
        foreach (string file in new[] { "config.json", "model.safetensors", "exit_heads.safetensors", "vocab.txt", "tokenizer_config.json" })
            Assert.True(File.Exists(Path.Combine(exported, file)), $"{file} missing from the export");
        JsonObject config = JsonNode.Parse(File.ReadAllText(Path.Combine(exported, "config.json")))!.AsObject();
        Assert.Equal("BertForSequenceClassification", (string)config["architectures"]![0]!);
        // What a user has: the classifier without our exit heads.
        File.Delete(Path.Combine(exported, "exit_heads.safetensors"));

        // The full model's answers (every text runs all 6 layers) from the folder and from hf:.
        CliRun original = CliRun.Of(["predict", "--model", plain, "--policy", "static", "--param", "6", .. Texts]);
        CliRun imported = CliRun.Of(["predict", "--model", "hf:" + exported, .. Texts]);
        Assert.True(imported.Status == 0, imported.Error);
        Assert.Equal(Answers(original), Answers(imported));

        // Retrofit without labels: the data's labels are never read.
        CliRun retrofit = CliRun.Of("train", "--model", "hf:" + exported, "--data", fixture.DataSpec, "--objective", "self-distill",
            "--out", retro, "--max-length", "32", "--epochs", "2");
        Assert.True(retrofit.Status == 0, retrofit.Error);
        Assert.Contains("labels not read", retrofit.Error);
        Assert.Contains("agreement", File.ReadAllText(Path.Combine(retro, "training.json")) + retrofit.Out, StringComparison.OrdinalIgnoreCase);
        Assert.True(File.Exists(Path.Combine(retro, "tokenizer", "vocab.txt")));
        CliRun retrofitted = CliRun.Of(["predict", "--model", retro, "--policy", "static", "--param", "6", .. Texts]);
        Assert.Equal(Answers(original), Answers(retrofitted));

        // Exported again, the backbone and final head are the original's byte for byte.
        Assert.Equal(0, CliRun.Of("export", "--model", retro, "--format", "hf", "--out", again).Status);
        Assert.Equal(File.ReadAllBytes(Path.Combine(exported, "model.safetensors")), File.ReadAllBytes(Path.Combine(again, "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(again, "exit_heads.safetensors")));
    }

    [Fact]
    public void Labelled_training_from_hf_maps_the_data_classes_by_name_and_refuses_others()
    {
        string plain = Folder("plain"), exported = Folder("plain-hf"), tuned = Folder("tuned");
        Assert.Equal(0, CliRun.Of("train", "--data", fixture.DataSpec, "--out", plain, "--objective", "final", "--pooling", "cls",
            "--freeze-backbone", "--max-length", "32", "--epochs", "1", "--learning-rate", "3e-3").Status);
        Assert.Equal(0, CliRun.Of("export", "--model", plain, "--format", "hf", "--out", exported).Status);

        // The same classes (ham, spam): joint training of every exit from the imported model.
        CliRun joint = CliRun.Of("train", "--model", "hf:" + exported, "--data", fixture.DataSpec, "--out", tuned,
            "--freeze-backbone", "--max-length", "32", "--epochs", "1", "--learning-rate", "3e-3");
        Assert.True(joint.Status == 0, joint.Error);
        Assert.Equal(["ham", "spam"], JsonNode.Parse(File.ReadAllText(Path.Combine(tuned, "checkpoint.json")))!["labelNames"]!.AsArray().Select(n => (string)n!));

        // Other class names: refused in one line before training.
        string other = Path.Combine(fixture.Root, "other-" + Guid.NewGuid().ToString("N")[..8] + ".csv");
        File.WriteAllLines(other, ["text,label", .. Enumerable.Range(0, 40).Select(i => $"text number {i},{(i % 2 == 0 ? "yes" : "no")}")]);
        CliRun refused = CliRun.Of("train", "--model", "hf:" + exported, "--data", "csv:" + other, "--out", Folder("refused"), "--epochs", "1");
        Assert.Equal(1, refused.Status);
        string error = Assert.Single(refused.ErrorLines, l => l.StartsWith("earlyexit:", StringComparison.Ordinal)); // after the "loading" log line
        Assert.Contains("predicts [ham, spam] but the data's classes are [no, yes]", error);
    }

    [Fact]
    public void A_mean_pooled_model_is_refused_as_a_hugging_face_folder_in_one_line_and_nothing_is_written()
    {
        string target = Folder("refused");
        CliRun run = CliRun.Of("export", "--model", fixture.ModelPath, "--format", "hf", "--out", target);

        Assert.Equal(1, run.Status);
        Assert.Single(run.ErrorLines);
        Assert.Contains("cannot be written as a Hugging Face folder: the final exit uses Mean pooling", run.Error);
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public void The_onnx_export_writes_every_segment_and_a_manifest_with_the_labels_and_the_calibration()
    {
        string target = Folder("onnx");
        CliRun run = CliRun.Of("export", "--model", fixture.ModelPath, "--format", "onnx", "--out", target);

        Assert.True(run.Status == 0, run.Error);
        JsonObject manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(target, "manifest.json")))!.AsObject();
        Assert.Equal(6, (int)manifest["exit_count"]!);
        Assert.Equal(6, manifest["steps"]!.AsArray().Count);
        Assert.All(manifest["steps"]!.AsArray(), step => Assert.True(File.Exists(Path.Combine(target, (string)step!["file"]!))));
        Assert.Equal(["ham", "spam"], manifest["labels"]!.AsArray().Select(n => (string)n!).Order());
        Assert.NotNull(manifest["calibration"]); // the fixture is calibrated
        Assert.True(File.Exists(Path.Combine(target, "tokenizer", "vocab.txt")));
        Assert.Equal(32, (int)manifest["tokenizer"]!["max_length"]!);
    }

    [Fact]
    public void Commands_that_write_into_the_model_folder_refuse_a_hugging_face_folder_and_self_distill_needs_one()
    {
        string exported = Folder("read-only");
        Directory.CreateDirectory(exported);
        File.WriteAllText(Path.Combine(exported, "config.json"), "{}");

        CliRun calibrate = CliRun.Of("calibrate", "--model", "hf:" + exported, "--data", fixture.DataSpec);
        Assert.Equal(1, calibrate.Status);
        Assert.Single(calibrate.ErrorLines);
        Assert.Contains("a Hugging Face folder is read only here", calibrate.Error);

        CliRun distil = CliRun.Of("train", "--data", fixture.DataSpec, "--objective", "self-distill", "--out", Folder("no"));
        Assert.Equal(1, distil.Status);
        Assert.Contains("--objective self-distill retrofits exits onto a fine-tuned classifier", distil.Error);

        CliRun unknown = CliRun.Of("predict", "--model", "hf:" + exported, "hello");
        Assert.Equal(1, unknown.Status);
        Assert.Single(unknown.ErrorLines);
    }
}
