using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Models;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Checkpoints;

/// <summary>Round trips and damaged checkpoints of a tiny randomly initialised model (synthetic weights).</summary>
public sealed class ModelCheckpointTests : IDisposable
{
    private static readonly EncoderConfig Tiny = new()
    {
        VocabularySize = 11, HiddenSize = 6, LayerCount = 2, HeadCount = 2, IntermediateSize = 8, ClassCount = 3,
        MaxPositions = 10, Pooling = ExitPooling.Mean,
    };

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "earlyexit-checkpoint-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static CheckpointMetadata Metadata(EncoderConfig config) => new()
    {
        Config = config,
        LabelNames = [.. Enumerable.Range(0, config.ClassCount).Select(i => $"class{i}")],
        Tokenizer = new TokenizerSettings("all-MiniLM-L6-v2", LowerCase: true, MaxLength: 128),
        Calibration = new JsonObject { ["temperatures"] = new JsonArray(1.5, 1.25) },
    };

    private void SaveTiny(EncoderConfig config)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var model = new MultiExitEncoder(config);
        ModelCheckpoint.Save(model, Metadata(config), _directory);
    }

    [Fact]
    public void RoundTripRestoresEveryTensorAndTheMetadata()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var model = new MultiExitEncoder(Tiny);
        CheckpointMetadata metadata = Metadata(Tiny);

        ModelCheckpoint.Save(model, metadata, _directory);
        LoadedCheckpoint loaded = ModelCheckpoint.Load(_directory);
        using MultiExitEncoder restored = loaded.Model;

        var before = model.state_dict();
        var after = restored.state_dict();
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (string key in before.Keys)
            Assert.True(before[key].equal(after[key]).all().item<bool>(), key);
        Assert.Equal(Tiny, loaded.Metadata.Config);
        Assert.Equal(["class0", "class1", "class2"], loaded.Metadata.LabelNames);
        Assert.Equal(metadata.Tokenizer, loaded.Metadata.Tokenizer);
        Assert.Equal("{\"temperatures\":[1.5,1.25]}", loaded.Metadata.Calibration!.ToJsonString());
        Assert.False(restored.training);
        // Only the two files remain: no temporary file survives a save.
        Assert.Equal([ModelCheckpoint.MetadataFileName, ModelCheckpoint.WeightsFileName],
            Directory.GetFiles(_directory).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void SavingAgainReplacesTheCheckpoint()
    {
        SaveTiny(Tiny);
        SaveTiny(Tiny with { ClassCount = 2 });

        LoadedCheckpoint loaded = ModelCheckpoint.Load(_directory);
        using MultiExitEncoder model = loaded.Model;

        Assert.Equal(2, loaded.Metadata.Config!.ClassCount);
        Assert.Equal(2, Directory.GetFiles(_directory).Length);
    }

    [Fact]
    public void TruncatedWeightsNameTheTensorWhoseBytesAreCut()
    {
        SaveTiny(Tiny);
        string weights = Path.Combine(_directory, ModelCheckpoint.WeightsFileName);
        // The tensor stored last is the one whose data ends at the end of the file.
        byte[] file = File.ReadAllBytes(weights);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        using JsonDocument header = JsonDocument.Parse(file.AsMemory(8, (int)headerLength));
        string last = header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__")
            .MaxBy(p => p.Value.GetProperty("data_offsets")[1].GetInt64()).Name;
        File.WriteAllBytes(weights, file[..^4]);

        var e = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(_directory));

        Assert.Contains($"is truncated: tensor {last} needs bytes", e.Message);
    }

    [Fact]
    public void WeightsWithoutTheConfigsDenseHeadsNameTheMissingTensors()
    {
        SaveTiny(Tiny with { HeadDense = false });
        RewriteMetadata(json => json["config"]!["headDense"] = true);

        var e = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(_directory));

        Assert.EndsWith("lacks 4 tensor(s) the config's model needs: exits.0.dense.bias, exits.0.dense.weight, exits.1.dense.bias, exits.1.dense.weight", e.Message);
    }

    [Fact]
    public void MisshapenTensorIsNamedWithBothShapes()
    {
        SaveTiny(Tiny);
        RewriteMetadata(json => json["config"]!["intermediateSize"] = 9);

        var e = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(_directory));

        Assert.Matches(@"tensor encoder\.layer\.[01]\.(intermediate|output)\.dense\.(weight|bias) has shape \[[0-9, ]+\]; the config needs \[[0-9, ]+\]", e.Message);
    }

    [Fact]
    public void LabelCountMustMatchTheClasses()
    {
        using var scope = NewDisposeScope();
        using var model = new MultiExitEncoder(Tiny);

        var e = Assert.Throws<ArgumentException>(() => ModelCheckpoint.Save(model, Metadata(Tiny) with { LabelNames = ["a", "b"] }, _directory));

        Assert.Contains("LabelNames must have one name per class (3); got 2", e.Message);
        Assert.False(Directory.Exists(_directory)); // nothing written
    }

    [Fact]
    public void MissingMetadataFileIsNamed()
    {
        SaveTiny(Tiny);
        File.Delete(Path.Combine(_directory, ModelCheckpoint.MetadataFileName));

        var e = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(_directory));

        Assert.Contains($"checkpoint metadata {Path.Combine(_directory, ModelCheckpoint.MetadataFileName)} not found", e.Message);
    }

    private void RewriteMetadata(Action<JsonNode> edit)
    {
        string path = Path.Combine(_directory, ModelCheckpoint.MetadataFileName);
        JsonNode json = JsonNode.Parse(File.ReadAllText(path))!;
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }
}
