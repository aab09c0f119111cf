using System.Text.Json;
using System.Text.Json.Serialization;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Import;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Tests.Import;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Models;

/// <summary>The architecture fields of <see cref="EncoderConfig"/>: defaults are today's BERT, and each changes the forward as its HF family does.</summary>
public sealed class EncoderArchitectureConfigTests
{
    private static EncoderConfig Tiny => new() { VocabularySize = 20, HiddenSize = 8, LayerCount = 3, HeadCount = 2, IntermediateSize = 16, ClassCount = 2 };

    [Fact]
    public void ACheckpointJsonWrittenBeforeTheFieldsExistedReadsAsTheSameConfig()
    {
        // checkpoint.json's config as ModelCheckpoint wrote it before this change (web defaults, enum names).
        const string old = """
            {"vocabularySize":20,"hiddenSize":8,"layerCount":3,"headCount":2,"intermediateSize":16,"classCount":2,
             "maxPositions":512,"typeVocabularySize":2,"layerNormEpsilon":1e-12,"hiddenDropout":0.1,"attentionDropout":0.1,
             "pooling":"Cls","headDense":true}
            """;
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
        EncoderConfig read = JsonSerializer.Deserialize<EncoderConfig>(old, options)!;
        Assert.Equal(Tiny, read);
        Assert.Equal(EncoderArchitecture.Bert, read.Architecture);
        Assert.Null(read.EmbeddingSize);
        Assert.Equal(HiddenActivation.Gelu, read.HiddenActivation);
        Assert.False(read.PositionsFromPadding);
        Assert.False(read.SharedLayer);
        Assert.Equal(HeadActivation.Tanh, read.FinalHeadActivation);
    }

    [Fact]
    public void TheDefaultModelKeepsTodaysStateDictKeys()
    {
        using var model = new MultiExitEncoder(Tiny with { LayerCount = 1 });
        string[] expected =
        [
            "embeddings.LayerNorm.bias", "embeddings.LayerNorm.weight", "embeddings.position_embeddings.weight",
            "embeddings.token_type_embeddings.weight", "embeddings.word_embeddings.weight",
            "encoder.layer.0.attention.output.LayerNorm.bias", "encoder.layer.0.attention.output.LayerNorm.weight",
            "encoder.layer.0.attention.output.dense.bias", "encoder.layer.0.attention.output.dense.weight",
            "encoder.layer.0.attention.self.key.bias", "encoder.layer.0.attention.self.key.weight",
            "encoder.layer.0.attention.self.query.bias", "encoder.layer.0.attention.self.query.weight",
            "encoder.layer.0.attention.self.value.bias", "encoder.layer.0.attention.self.value.weight",
            "encoder.layer.0.intermediate.dense.bias", "encoder.layer.0.intermediate.dense.weight",
            "encoder.layer.0.output.LayerNorm.bias", "encoder.layer.0.output.LayerNorm.weight",
            "encoder.layer.0.output.dense.bias", "encoder.layer.0.output.dense.weight",
            "exits.0.classifier.bias", "exits.0.classifier.weight", "exits.0.dense.bias", "exits.0.dense.weight",
        ];
        Assert.Equal(expected, model.state_dict().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SharedLayerHoldsOneLayerAndAppliesItAtEveryDepth()
    {
        using var scope = NewDisposeScope();
        using var model = new MultiExitEncoder(Tiny with { SharedLayer = true, EmbeddingSize = 4, TypeVocabularySize = 0 });
        model.eval();
        var keys = model.state_dict().Keys.ToList();
        Assert.DoesNotContain(keys, k => k.StartsWith("encoder.layer.1.", StringComparison.Ordinal));
        Assert.Contains("embeddings.projection.weight", keys);
        Assert.DoesNotContain("embeddings.token_type_embeddings.weight", keys);
        Assert.Equal(3, model.state_dict().Keys.Count(k => k.EndsWith(".classifier.weight", StringComparison.Ordinal)));
        using var noGrad = no_grad();
        Tensor x = randn(2, 5, 8);
        Tensor bias = MultiExitEncoder.AttentionBias(ones(2, 5));
        Assert.True(model.RunLayer(0, x, bias).eq(model.RunLayer(2, x, bias)).all().item<bool>()); // the same weights at depths 0 and 2
        Assert.Equal(4, model.state_dict()["embeddings.word_embeddings.weight"].shape[1]);
    }

    [Fact]
    public void PositionsFromPaddingCountRealTokensFromThePaddingId()
    {
        using var scope = NewDisposeScope();
        using var model = new MultiExitEncoder(Tiny with { PositionsFromPadding = true, PaddingId = 1, MaxPositions = 8, TypeVocabularySize = 1 });
        model.eval();
        using var noGrad = no_grad();
        // Row [5, 6, 1]: positions 2, 3, 1 (pad). Shifting a token right by a leading pad would change them in BERT but here
        // only the padding's own position moves; check against embeddings computed by hand from the tables.
        var sd = model.state_dict();
        Tensor ids = tensor(new long[] { 5, 6, 1 }, 1, 3);
        Tensor expected = nn.functional.layer_norm(
            sd["embeddings.word_embeddings.weight"].index(ids) + sd["embeddings.position_embeddings.weight"].index(tensor(new long[] { 2, 3, 1 }, 1, 3))
            + sd["embeddings.token_type_embeddings.weight"][0],
            [8], sd["embeddings.LayerNorm.weight"], sd["embeddings.LayerNorm.bias"], 1e-12);
        Tensor actual = model.Embed(ids);
        Assert.True(actual.allclose(expected, 1e-5, 1e-6));
        Assert.Equal(6, model.Config.MaxSequenceLength); // positions 2..7 for real tokens
        Assert.Throws<ArgumentException>(() => model.Embed(zeros(1, 7, dtype: ScalarType.Int64)));
    }

    [Theory]
    [InlineData(-1, null, 0, "TypeVocabularySize must be 0 (no token types) or more; got -1")]
    [InlineData(2, 0, 0, "EmbeddingSize must be at least 1; got 0")]
    [InlineData(2, null, 20, "PaddingId must be a token id in [0, 20); got 20")]
    public void ValidateRefusesBadArchitectureFields(int types, int? embedding, int padding, string message)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => (Tiny with { TypeVocabularySize = types, EmbeddingSize = embedding, PaddingId = padding }).Validate());
        Assert.StartsWith(message, e.Message);
        var f = Assert.Throws<ArgumentOutOfRangeException>(() => (Tiny with { HiddenActivation = (HiddenActivation)9 }).Validate());
        Assert.StartsWith("HiddenActivation must be one of Gelu, GeluTanh, Relu, Silu; got 9", f.Message);
    }

    [Theory]
    [InlineData("albert")]
    [InlineData("distilbert")]
    [InlineData("electra")]
    public void AnImportedArchitectureSurvivesOurOwnCheckpoint(string arch)
    {
        using MultiExitEncoder model = HuggingFaceModel.Load(HuggingFaceImportTests.Golden(arch)).Model;
        string dir = Directory.CreateTempSubdirectory("hf-ckpt-").FullName;
        try
        {
            ModelCheckpoint.Save(model, new CheckpointMetadata { Config = model.Config, LabelNames = ["x", "y", "z"] }, dir);
            using MultiExitEncoder back = ModelCheckpoint.Load(dir).Model;
            Assert.Equal(model.Config, back.Config);
            var a = model.state_dict();
            var b = back.state_dict();
            Assert.Equal(a.Keys.Order(), b.Keys.Order());
            foreach (string k in a.Keys) Assert.True(a[k].eq(b[k]).all().item<bool>(), k);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
