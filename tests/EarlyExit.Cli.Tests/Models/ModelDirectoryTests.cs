using System.Text.Json.Nodes;
using EarlyExit.Cli.Models;
using EarlyExit.Cli.Tests.TestDoubles;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Training;

namespace EarlyExit.Cli.Tests.Models;

/// <summary>How a completed training run becomes a model folder. In the MiniLM collection only
/// to run alone: building a model draws from torch's process-wide generator.</summary>
[Collection(MiniLmCollection.Name)]
public sealed class ModelDirectoryTests : IDisposable
{
    private static readonly EncoderConfig Tiny = new()
    {
        VocabularySize = 50, HiddenSize = 8, LayerCount = 2, HeadCount = 2, IntermediateSize = 16, ClassCount = 2, MaxPositions = 8,
    };

    private readonly string _root = Directory.CreateTempSubdirectory("earlyexit-model-directory-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void A_completed_run_leaves_the_best_checkpoint_and_the_log_and_no_training_folder()
    {
        var directory = new ModelDirectory(Path.Combine(_root, "model"));
        using var best = new MultiExitEncoder(Tiny);
        using var last = new MultiExitEncoder(Tiny);
        var metadata = new CheckpointMetadata { Config = Tiny, LabelNames = ["no", "yes"] };
        string bestPath = Path.Combine(directory.TrainingPath, MultiExitTrainer.BestDirectoryName);
        ModelCheckpoint.Save(best, metadata, bestPath);
        byte[] bestWeights = File.ReadAllBytes(Path.Combine(bestPath, ModelCheckpoint.WeightsFileName));
        Directory.CreateDirectory(directory.ResumePath);
        File.WriteAllText(Path.Combine(directory.ResumePath, MultiExitTrainer.StateFileName), "{}");
        Assert.True(directory.HasResumeState);

        directory.WriteTrainedModel(bestPath, last, metadata, new JsonObject { ["best_epoch"] = 0 });

        Assert.True(directory.HasModel);
        Assert.Equal(bestWeights, File.ReadAllBytes(directory.WeightsPath)); // best/, not the last weights
        Assert.Equal(0, JsonNode.Parse(File.ReadAllText(directory.TrainingLogPath))!["best_epoch"]!.GetValue<int>());
        Assert.False(Directory.Exists(directory.TrainingPath));
        Assert.False(directory.HasResumeState);
    }

    [Fact]
    public void Without_a_best_checkpoint_the_model_is_saved_as_it_is()
    {
        var directory = new ModelDirectory(Path.Combine(_root, "unvalidated"));
        using var model = new MultiExitEncoder(Tiny);
        var metadata = new CheckpointMetadata { Config = Tiny, LabelNames = ["no", "yes"] };

        directory.WriteTrainedModel(null, model, metadata, new JsonObject());

        LoadedCheckpoint loaded = directory.LoadModel();
        using (loaded.Model)
        {
            Assert.Equal(["no", "yes"], loaded.Metadata.LabelNames);
            Assert.True(loaded.Model.state_dict().All(p => p.Value.eq(model.state_dict()[p.Key]).all().item<bool>()));
        }
        Assert.True(File.Exists(directory.TrainingLogPath));
    }
}
