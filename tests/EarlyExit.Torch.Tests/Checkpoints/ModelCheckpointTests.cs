using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EarlyExit.Core.IO;
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

    [Fact]
    public void NegativeDataOffsetsAreRefusedNamingTheTensor()
    {
        SaveTiny(Tiny);
        // Shifted 8 bytes back, the span keeps its length: only the sign shows it reads before the data.
        string name = RewriteHeader(tensors =>
        {
            var (key, first) = Entries(tensors).MinBy(e => Offsets(e.Value).Begin);
            (long begin, long end) = Offsets(first);
            first["data_offsets"] = new JsonArray(begin - 8, end - 8);
            return key;
        });

        var e = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(_directory));

        Assert.Contains($"tensor {name} has data_offsets [", e.Message);
        Assert.Contains("each must be a non-negative integer", e.Message);
    }

    [Fact]
    public void OverlappingTensorsAreRefusedNamingBoth()
    {
        SaveTiny(Tiny);
        // Two tensors of one size: the second pointed at the first's bytes would load them as its own.
        (string first, string second) = ("exits.0.classifier.bias", "exits.1.classifier.bias");
        RewriteHeader(tensors =>
        {
            tensors[second]!["data_offsets"] = tensors[first]!["data_offsets"]!.DeepClone();
            return second;
        });

        var e = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(_directory));

        Assert.Matches($@"tensor ({Regex.Escape(first)}|{Regex.Escape(second)})'s bytes \[\d+, \d+\) overlap tensor ({Regex.Escape(first)}|{Regex.Escape(second)})'s", e.Message);
    }

    [Fact]
    public void BytesAfterTheLastTensorAreRefused()
    {
        SaveTiny(Tiny);
        string weights = Path.Combine(_directory, ModelCheckpoint.WeightsFileName);
        File.WriteAllBytes(weights, [.. File.ReadAllBytes(weights), 1, 2, 3, 4]);

        var e = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(_directory));

        Assert.EndsWith("has 4 byte(s) after the last tensor's data that no tensor holds", e.Message);
    }

    [Theory]
    [InlineData("1e30")]
    [InlineData("2.5")]
    [InlineData("-3")]
    public void ShapeThatIsNotADimensionIsNamedWithTheTensor(string dimension)
    {
        SaveTiny(Tiny);
        string name = RewriteHeader(tensors =>
        {
            var (key, entry) = Entries(tensors).First();
            entry["shape"] = new JsonArray(JsonNode.Parse(dimension));
            return key;
        });

        var e = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(_directory));

        Assert.Contains($"tensor {name} has shape [{dimension}]; each must be a non-negative integer", e.Message);
    }

    [Fact]
    public void HeaderKeysInAnyOrderLoad()
    {
        SaveTiny(Tiny);
        RewriteHeader(tensors =>
        {
            var reversed = Entries(tensors).Reverse().Select(e => (e.Key, (JsonNode)e.Value.DeepClone())).ToList();
            tensors.Clear();
            foreach (var (key, entry) in reversed) tensors[key] = entry;
            return "";
        });
        // A file rewritten on purpose: checkpoint.json must vouch for its new bytes (weightsSha256).
        RewriteMetadata(node => node["weightsSha256"] = FileHash.Sha256(Path.Combine(_directory, ModelCheckpoint.WeightsFileName)));

        LoadedCheckpoint loaded = ModelCheckpoint.Load(_directory);
        using MultiExitEncoder model = loaded.Model;
    }

    [Fact]
    public void DuplicateLabelNamesAreRefusedOnSaveAndLoad()
    {
        using (var scope = NewDisposeScope())
        {
            using var model = new MultiExitEncoder(Tiny);
            var e = Assert.Throws<ArgumentException>(() => ModelCheckpoint.Save(model, Metadata(Tiny) with { LabelNames = ["ham", "spam", "ham"] }, _directory));
            Assert.Contains("LabelNames must be distinct; \"ham\" appears twice", e.Message);
        }
        SaveTiny(Tiny);
        RewriteMetadata(json => json["labelNames"] = new JsonArray("ham", "spam", "ham"));

        var loadError = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(_directory));

        Assert.Contains("LabelNames must be distinct; \"ham\" appears twice", loadError.Message);
    }

    [Fact]
    public void LabelNamesDifferingInCaseAreDistinct()
    {
        SaveTiny(Tiny);
        RewriteMetadata(json => json["labelNames"] = new JsonArray("spam", "Spam", "SPAM"));

        LoadedCheckpoint loaded = ModelCheckpoint.Load(_directory);
        using MultiExitEncoder model = loaded.Model;

        Assert.Equal(["spam", "Spam", "SPAM"], loaded.Metadata.LabelNames);
    }

    /// <summary>Edits the safetensors header's JSON in place, keeping the data bytes; returns what <paramref name="edit"/> returns.</summary>
    private string RewriteHeader(Func<JsonObject, string> edit)
    {
        string weights = Path.Combine(_directory, ModelCheckpoint.WeightsFileName);
        byte[] file = File.ReadAllBytes(weights);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        JsonObject header = JsonNode.Parse(file.AsSpan(8, headerLength))!.AsObject();
        string result = edit(header);
        byte[] json = System.Text.Encoding.UTF8.GetBytes(header.ToJsonString());
        byte[] length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        File.WriteAllBytes(weights, [.. length, .. json, .. file.AsSpan(8 + headerLength)]);
        return result;
    }

    private static IEnumerable<(string Key, JsonObject Value)> Entries(JsonObject header) =>
        header.Where(p => p.Key != "__metadata__").Select(p => (p.Key, p.Value!.AsObject())).ToList();

    private static (long Begin, long End) Offsets(JsonObject entry) =>
        (entry["data_offsets"]![0]!.GetValue<long>(), entry["data_offsets"]![1]!.GetValue<long>());

    private void RewriteMetadata(Action<JsonNode> edit)
    {
        string path = Path.Combine(_directory, ModelCheckpoint.MetadataFileName);
        JsonNode json = JsonNode.Parse(File.ReadAllText(path))!;
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }
}
