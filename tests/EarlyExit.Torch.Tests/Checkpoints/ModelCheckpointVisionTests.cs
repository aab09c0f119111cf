using System.Text.Json.Nodes;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Models.Vision;
using EarlyExit.Torch.Tests.TestDoubles;
using EarlyExit.Torch.Tests.Training;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Checkpoints;

/// <summary>Checkpoints of vision models, and the text checkpoints written before model kinds existed.</summary>
[Collection(TorchGeneratorCollection.Name)]
public sealed class ModelCheckpointVisionTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"earlyexit-vision-checkpoint-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Theory]
    [InlineData("vit")]
    [InlineData("cnn")]
    public void RoundTripRebuildsTheModelWithTheSameOutputs(string architecture)
    {
        VisionConfig config = architecture == "vit" ? TinyVision.Vit : TinyVision.Cnn;
        using MultiExitVisionModel model = MultiExitVisionModel.Create(config);
        model.eval();
        string[] labels = [.. Enumerable.Range(0, config.ClassCount).Select(c => $"c{c}")];
        ModelCheckpoint.Save(model, new CheckpointMetadata { Kind = ModelKind.Vision, Vision = config, LabelNames = labels }, _directory);

        LoadedVisionCheckpoint loaded = ModelCheckpoint.LoadVision(_directory);
        using MultiExitVisionModel copy = loaded.Model;

        Assert.Equal(config, loaded.Metadata.Vision);
        Assert.Equal(model.GetType(), copy.GetType());
        using var noGrad = no_grad();
        using Tensor images = rand(3, config.Channels, 8, 8) * 255;
        Assert.True(model.call(images).eq(copy.call(images)).all().item<bool>());
    }

    [Fact]
    public void LoadingAVisionCheckpointAsTextSaysWhichLoaderToUse()
    {
        using MultiExitVisionModel model = MultiExitVisionModel.Create(TinyVision.Cnn);
        ModelCheckpoint.Save(model, new CheckpointMetadata { Kind = ModelKind.Vision, Vision = TinyVision.Cnn, LabelNames = ["a", "b"] }, _directory);

        var e = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(_directory));
        Assert.Contains("holds a Vision model, not a text encoder; load it with LoadVision", e.Message);
    }

    [Fact]
    public void MetadataOfAnotherModelIsRefused()
    {
        using MultiExitVisionModel model = MultiExitVisionModel.Create(TinyVision.Cnn);
        var metadata = new CheckpointMetadata { Kind = ModelKind.Vision, Vision = TinyVision.Cnn with { Width = 8 }, LabelNames = ["a", "b"] };
        var e = Assert.Throws<ArgumentException>(() => ModelCheckpoint.Save(model, metadata, _directory));
        Assert.Contains("metadata must describe the model: kind Vision", e.Message);
    }

    [Fact]
    public void ATextCheckpointWithoutAKindLoadsAsATextEncoder()
    {
        var config = new EncoderConfig { VocabularySize = 20, HiddenSize = 8, LayerCount = 2, HeadCount = 2, IntermediateSize = 16, ClassCount = 2, MaxPositions = 8 };
        using (var model = new MultiExitEncoder(config))
            ModelCheckpoint.Save(model, new CheckpointMetadata { Config = config, LabelNames = ["a", "b"] }, _directory);
        // The file as written before model kinds existed: no "kind", no "vision".
        string path = Path.Combine(_directory, ModelCheckpoint.MetadataFileName);
        var json = (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("TextEncoder", (string?)json["kind"]);
        Assert.False(json.ContainsKey("vision"));
        json.Remove("kind");
        File.WriteAllText(path, json.ToJsonString());

        LoadedCheckpoint loaded = ModelCheckpoint.Load(_directory);
        using MultiExitEncoder copy = loaded.Model;

        Assert.Equal(ModelKind.TextEncoder, loaded.Metadata.Kind);
        Assert.Equal(config, loaded.Metadata.Config);
    }
}
