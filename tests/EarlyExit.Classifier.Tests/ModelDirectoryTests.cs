using System.Text.Json.Nodes;
using EarlyExit.Classifier.Tests.TestDoubles;
using EarlyExit.Data.Datasets;
using EarlyExit.Tests.Shared;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Training;

namespace EarlyExit.Classifier.Tests;

// The folder errors are the library's, and the CLI prints them after "--model FOLDER:"; these are the
// same problems the CLI's predict tests show, asserted here without the CLI.
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

    [Fact]
    public void A_missing_folder_says_how_to_make_one()
    {
        string missing = Path.Combine(Path.GetTempPath(), "earlyexit-no-such-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<ModelFolderException>(() => EarlyExitClassifier.Load(missing));

        Assert.Equal(missing, error.Folder);
        Assert.Equal($"no such folder; train a model first (earlyexit train --data DATA --out {missing})", error.Problem);
        Assert.Equal($"model folder {missing}: {error.Problem}", error.Message);
    }

    [Fact]
    public void A_folder_without_a_model_names_the_missing_file_and_an_unfinished_training()
    {
        string empty = CalibratedMiniLm.TemporaryFolder("earlyexit-empty");
        string half = CalibratedMiniLm.TemporaryFolder("earlyexit-half");
        File.WriteAllText(Path.Combine(half, ModelCheckpoint.MetadataFileName), "{}");
        Directory.CreateDirectory(Path.Combine(half, ModelDirectory.TrainingFolderName));

        var none = Assert.Throws<ModelFolderException>(() => ModelDirectory.Open(empty));
        var unfinished = Assert.Throws<ModelFolderException>(() => ModelDirectory.Open(half));

        Assert.Equal($"not a model folder (no checkpoint.json); train one with earlyexit train --data DATA --out {empty}", none.Problem);
        Assert.Equal("not a model folder (no model.safetensors); its training did not finish; run the same train command again to resume", unfinished.Problem);
        Assert.Equal("the folder name is empty", Assert.Throws<ModelFolderException>(() => ModelDirectory.Open(" ")).Problem);
    }

    [Fact]
    public void Corrupt_metadata_weights_and_calibration_are_named()
    {
        string metadata = ModelFolders.CopyOfCalibrated();
        File.WriteAllText(Path.Combine(metadata, ModelCheckpoint.MetadataFileName), "{ not json");
        string weights = ModelFolders.CopyOfCalibrated();
        string weightsFile = Path.Combine(weights, ModelCheckpoint.WeightsFileName);
        File.WriteAllBytes(weightsFile, [1, 2, 3]);
        string calibration = ModelFolders.CopyOfCalibrated();
        string json = File.ReadAllText(Path.Combine(calibration, ModelCheckpoint.MetadataFileName));
        File.WriteAllText(Path.Combine(calibration, ModelCheckpoint.MetadataFileName), json.Replace("\"calibration\": {", "\"calibration\": { \"format_version\": 99, \"x\": {", StringComparison.Ordinal) + "}");

        var badMetadata = Assert.Throws<ModelFolderException>(() => EarlyExitClassifier.Load(metadata));
        var badWeights = Assert.Throws<ModelFolderException>(() => EarlyExitClassifier.Load(weights));

        Assert.StartsWith($"corrupt checkpoint: {Path.Combine(metadata, "checkpoint.json")} is not valid checkpoint metadata", badMetadata.Problem);
        Assert.IsType<CheckpointException>(badMetadata.InnerException);
        Assert.StartsWith($"corrupt checkpoint: {weightsFile}", badWeights.Problem);
        Assert.True(Assert.ThrowsAny<Exception>(() => EarlyExitClassifier.Load(calibration)) is ModelFolderException { Problem: var p } && p.StartsWith("corrupt", StringComparison.Ordinal));
    }

    [Fact]
    public void A_vocabulary_this_build_does_not_ship_is_refused_by_name()
    {
        var folder = new ModelDirectory(ModelFolders.Calibrated);
        CheckpointMetadata metadata = ModelCheckpoint.ReadMetadata(folder.Path) with
        {
            Tokenizer = new TokenizerSettings("bert-base-multilingual", LowerCase: false, MaxLength: 128),
        };

        var error = Assert.Throws<ModelFolderException>(() => folder.CreateTokenizer(metadata));

        Assert.Equal("the model was trained with vocabulary 'bert-base-multilingual'; this earlyexit ships only 'all-MiniLM-L6-v2'", error.Problem);
    }

    [Fact]
    public void The_layout_is_written_down_once()
    {
        var folder = new ModelDirectory("models/spam");
        string root = Path.GetFullPath("models/spam");

        Assert.Equal(root, folder.Path);
        Assert.Equal(Path.Combine(root, "checkpoint.json"), folder.MetadataPath);
        Assert.Equal(Path.Combine(root, "model.safetensors"), folder.WeightsPath);
        Assert.Equal(Path.Combine(root, "validation.eetrace"), folder.TracePath(DatasetSplit.Validation));
        Assert.Equal(Path.Combine(root, "test.eetrace"), folder.TracePath(DatasetSplit.Test));
        Assert.Equal(Path.Combine(root, "traces.json"), folder.TraceManifestPath);
        Assert.False(folder.HasModel);
        Assert.True(new ModelDirectory(ModelFolders.Calibrated).HasModel);
    }
}
