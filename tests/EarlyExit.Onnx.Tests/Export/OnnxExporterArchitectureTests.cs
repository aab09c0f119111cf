using System.Text;
using EarlyExit.Data.Tokenization;
using EarlyExit.Onnx.Export;
using EarlyExit.Onnx.Runtime;
using EarlyExit.Onnx.Tests.TestDoubles;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Runtime;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace EarlyExit.Onnx.Tests.Export;

/// <summary>
/// The exported graphs of every Hugging Face family the one encoder runs (docs/models.md), each a
/// tiny random model with its family's typical settings, against the TorchSharp model: every
/// segment's hidden states and logits and the full graph's logits within 1e-4.
/// </summary>
public sealed class OnnxExporterArchitectureTests(ITestOutputHelper output)
{
    /// <summary>
    /// A WordPiece vocabulary with [PAD] at id 1, RoBERTa's padding id, so a padded batch pads with
    /// the id <see cref="EncoderConfig.PaddingId"/> names, and every real token (the words, [CLS] 2,
    /// [SEP] 3) has an id ≥ 2. RoBERTa's positions then start at 2 and skip the padding; a graph
    /// that numbered them 0…seq−1 would read other position rows and miss by far more than 1e-4.
    /// </summary>
    private static readonly TextTokenizer Tokenizer = TextTokenizer.Create(new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n',
        "[UNK]", "[PAD]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat", "a", "dog", "ran", "far", "away", "today", "and"))));

    /// <summary>Rows of 4 to 12 tokens: the batch is padded, most rows by several positions.</summary>
    private static readonly string[] Sentences =
    [
        "the cat sat on the mat",
        "a dog",
        "the dog ran far away today and the cat sat on a mat",
        "cat",
    ];

    // Three layers so a shared layer is applied more than once, with an internal exit between.
    private static readonly EncoderConfig Tiny = new()
    {
        VocabularySize = Tokenizer.VocabularySize, HiddenSize = 16, LayerCount = 3, HeadCount = 2,
        IntermediateSize = 32, ClassCount = 3, MaxPositions = 24,
    };

    public static TheoryData<string, EncoderConfig> Families => new()
    {
        { "BERT", Tiny },
        { "RoBERTa", Tiny with { Architecture = EncoderArchitecture.Roberta, PositionsFromPadding = true, PaddingId = 1, TypeVocabularySize = 1 } },
        { "RoBERTa, mean pooling", Tiny with { Architecture = EncoderArchitecture.Roberta, PositionsFromPadding = true, PaddingId = 1, TypeVocabularySize = 1, Pooling = ExitPooling.Mean } },
        // What an imported *ForSequenceClassification gets: mean-pooled new exits beside its own [CLS] head.
        { "RoBERTa, mean-pooled internal exits, [CLS] final", Tiny with { Architecture = EncoderArchitecture.Roberta, PositionsFromPadding = true, PaddingId = 1, TypeVocabularySize = 1, Pooling = ExitPooling.Mean, FinalExitPooling = ExitPooling.Cls } },
        { "DistilBERT", Tiny with { Architecture = EncoderArchitecture.DistilBert, TypeVocabularySize = 0, FinalHeadActivation = HeadActivation.Relu } },
        { "ELECTRA", Tiny with { Architecture = EncoderArchitecture.Electra, EmbeddingSize = 8, FinalHeadActivation = HeadActivation.Gelu } },
        { "ALBERT", Tiny with { Architecture = EncoderArchitecture.Albert, SharedLayer = true, EmbeddingSize = 8, HiddenActivation = HiddenActivation.GeluTanh } },
        // The other feed-forward activations HF configs name (relu, silu/swish).
        { "ReLU feed-forward", Tiny with { HiddenActivation = HiddenActivation.Relu } },
        { "SiLU feed-forward", Tiny with { HiddenActivation = HiddenActivation.Silu } },
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void SegmentsAndFullModelReproduceTheTorchSharpModelOnAPaddedBatch(string family, EncoderConfig config)
    {
        TokenBatch batch = Tokenizer.EncodeBatch(Sentences);
        Assert.Equal(1, Tokenizer.PaddingId);
        // Real tokens ≥ 2 ([UNK], id 0, never occurs), padding 1, and padding there is.
        Assert.All(batch.InputIds.Span.ToArray(), id => Assert.True(id >= 1));
        Assert.Contains(0L, batch.AttentionMask.Span.ToArray());
        random.manual_seed(11);
        using var encoder = new MultiExitEncoder(config);
        var torchModel = new EncoderExitModel(encoder);
        using OnnxExitModel onnxModel = OnnxExitModel.Create(encoder, MiniLmFixture.Options);
        using OnnxClassifier classifier = OnnxClassifier.Create(encoder, MiniLmFixture.Options);

        ExportErrors segments = ExportAssert.SegmentsMatch(torchModel, onnxModel, batch);
        float full = ExportAssert.FullModelMatches(torchModel, classifier, batch);
        float single = ExportAssert.FullModelMatches(torchModel, classifier, Tokenizer.Encode(Sentences[2]));

        output.WriteLine($"{family}: max hidden error {segments.Hidden:E2} (relative), segment logits {segments.Logits:E2}, full-model logits {Math.Max(full, single):E2}");
    }

    [Fact]
    public void ASharedLayerIsExportedFromTheOneLayerTheStateDictHolds()
    {
        random.manual_seed(11);
        using var encoder = new MultiExitEncoder(Tiny with { Architecture = EncoderArchitecture.Albert, SharedLayer = true, EmbeddingSize = 8 });

        var full = OnnxExporter.ExportFullModel(encoder).Graph.Initializer.Select(i => i.Name).ToList();
        var layer2 = OnnxExporter.ExportSegments(encoder).Layers[2].Graph.Initializer.Select(i => i.Name).ToList();

        // All three depths read encoder.layer.0.*, held once in the full graph; there is no layer 1 or 2.
        Assert.Contains("encoder.layer.0.attention.self.query.weight", full);
        Assert.Equal(full.Count, full.Distinct().Count());
        Assert.DoesNotContain(full, name => name.StartsWith("encoder.layer.1.", StringComparison.Ordinal) || name.StartsWith("encoder.layer.2.", StringComparison.Ordinal));
        Assert.Contains("encoder.layer.0.output.dense.weight", layer2);
        Assert.Contains("embeddings.projection.weight", full);
        Assert.Contains("exits.2.classifier.weight", layer2);
    }

    [Fact]
    public void WithoutTokenTypesTheGraphHoldsNoTokenTypeTableYetKeepsItsThreeInputs()
    {
        random.manual_seed(11);
        using var encoder = new MultiExitEncoder(Tiny with { Architecture = EncoderArchitecture.DistilBert, TypeVocabularySize = 0 });

        var graph = OnnxExporter.ExportFullModel(encoder).Graph;

        Assert.DoesNotContain(graph.Initializer, i => i.Name.Contains("token_type", StringComparison.Ordinal));
        Assert.Equal([OnnxTensorNames.InputIds, OnnxTensorNames.TokenTypeIds, OnnxTensorNames.AttentionMask], graph.Input.Select(i => i.Name));
    }
}
