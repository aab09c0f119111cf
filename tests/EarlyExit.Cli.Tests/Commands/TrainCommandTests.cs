using EarlyExit.Cli.Tests.TestDoubles;
using EarlyExit.Torch.Checkpoints;

namespace EarlyExit.Cli.Tests.Commands;

/// <summary>train's stop and resume, and its user errors.</summary>
[Collection(MiniLmCollection.Name)]
public sealed class TrainCommandTests(TrainedModelFixture model)
{
    [Fact]
    public void Ctrl_c_stops_with_the_resume_state_and_the_same_command_resumes_to_a_model()
    {
        string output = Path.Combine(model.Root, "resumed-" + Guid.NewGuid().ToString("N"));
        string[] args = ["train", "--data", model.DataSpec, "--out", output, "--freeze-backbone", "--max-length", "16", "--epochs", "1", "--batch-size", "48", "--train-limit", "96"];
        using var stop = new CancellationTokenSource();
        stop.Cancel();

        CliRun stopped = CliRun.WithToken("", stop.Token, args);
        CliRun resumed = CliRun.Of(args);

        Assert.Equal(130, stopped.Status);
        Assert.Contains($"stopped after step 0 of 2; run the same command again to resume from {Path.Combine(output, "training", "last")}", stopped.Error);
        // A stopped run's bar ends where it stopped, not at 100 % (issue #15 item 6).
        Assert.Contains("training: 0%", stopped.Error);
        Assert.DoesNotContain("training: 100%", stopped.Error);
        Assert.True(resumed.Status == 0, resumed.Error);
        Assert.Contains("resuming the stopped run from", resumed.Error);
        Assert.True(File.Exists(Path.Combine(output, "model.safetensors")));
    }

    [Fact]
    public void Linear_exit_heads_are_trained_saved_and_served_without_the_dense_layer()
    {
        string output = Path.Combine(model.Root, "linear-" + Guid.NewGuid().ToString("N"));

        CliRun trained = CliRun.Of("train", "--data", model.DataSpec, "--out", output, "--exit-head", "linear",
            "--freeze-backbone", "--max-length", "16", "--epochs", "1", "--batch-size", "48", "--train-limit", "96");
        CliRun predicted = CliRun.Of("predict", "--model", output, "--backend", "onnx", "free money now");

        Assert.True(trained.Status == 0, trained.Error);
        Assert.Contains("linear exit heads", trained.Error);
        LoadedCheckpoint loaded = ModelCheckpoint.Load(output);
        using (loaded.Model)
        {
            Assert.False(loaded.Model.Config.HeadDense);
            string[] names = [.. loaded.Model.named_parameters().Select(p => p.name)];
            Assert.Contains("exits.0.classifier.weight", names);
            Assert.DoesNotContain(names, n => n.Contains(".dense.", StringComparison.Ordinal) && n.StartsWith("exits.", StringComparison.Ordinal));
        }
        Assert.True(predicted.Status == 0, predicted.Error);
    }

    [Fact]
    public void Linear_exit_heads_are_refused_for_a_vision_model()
    {
        CliRun run = CliRun.Of("train", "--data", "fashion-mnist", "--model", "vit-small", "--exit-head", "linear", "--out", Path.Combine(model.Root, "never"));

        Assert.Equal(1, run.Status);
        Assert.Equal(["earlyexit: --exit-head applies to text models (--model minilm); the vision presets have their own heads"], run.ErrorLines);
    }

    [Fact]
    public void A_folder_that_holds_a_model_is_not_overwritten()
    {
        CliRun run = CliRun.Of("train", "--data", model.DataSpec, "--out", model.ModelPath);

        Assert.Equal(1, run.Status);
        Assert.Equal([$"earlyexit: --out {model.ModelPath} already holds a trained model; choose another folder or delete it"], run.ErrorLines);
    }

    [Theory]
    [InlineData("--epochs", "0", "--epochs must be at least 1; got 0")]
    [InlineData("--max-length", "1000", "--max-length must be between 3 and 512 (BERT's positions); got 1000")]
    [InlineData("--threads", "0", "--threads must be at least 1; got 0")]
    [InlineData("--model", "bert", "--model must be one of minilm, hf:PATH, vit-small, vit-large, cnn-small, cnn-large; got 'bert'")]
    public void An_option_out_of_range_is_one_line(string option, string value, string message)
    {
        CliRun run = CliRun.Of("train", "--data", model.DataSpec, "--out", Path.Combine(model.Root, "never"), option, value);

        Assert.Equal(1, run.Status);
        Assert.Equal(["earlyexit: " + message], run.ErrorLines);
    }

    [Fact]
    public void Two_stage_needs_two_epochs()
    {
        CliRun run = CliRun.Of("train", "--data", model.DataSpec, "--out", Path.Combine(model.Root, "never"), "--objective", "two-stage", "--epochs", "1");

        Assert.Equal(1, run.Status);
        Assert.Equal(["earlyexit: --objective two-stage needs --epochs of at least 2 (one per stage); got 1"], run.ErrorLines);
    }

    [Fact]
    public void An_image_dataset_is_refused()
    {
        CliRun run = CliRun.Of("train", "--data", "fashion-mnist", "--out", Path.Combine(model.Root, "never"));

        Assert.Equal(1, run.Status);
        Assert.StartsWith("earlyexit: --data fashion-mnist: an image dataset", run.Error);
        Assert.Single(run.ErrorLines);
    }
}
