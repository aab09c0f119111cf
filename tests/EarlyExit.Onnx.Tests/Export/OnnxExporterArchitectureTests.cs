using EarlyExit.Onnx.Export;
using EarlyExit.Torch.Models;

namespace EarlyExit.Onnx.Tests.Export;

/// <summary>The exporter writes BERT's forward; a model of another Hugging Face family is refused by field, not exported wrong.</summary>
public sealed class OnnxExporterArchitectureTests
{
    private static readonly EncoderConfig Tiny = new() { VocabularySize = 20, HiddenSize = 8, LayerCount = 2, HeadCount = 2, IntermediateSize = 16, ClassCount = 2 };

    public static TheoryData<string, EncoderConfig> NonBert => new()
    {
        { "EmbeddingSize", Tiny with { Architecture = EncoderArchitecture.Electra, EmbeddingSize = 4 } },
        { "PositionsFromPadding", Tiny with { Architecture = EncoderArchitecture.Roberta, PositionsFromPadding = true, PaddingId = 1 } },
        { "SharedLayer", Tiny with { Architecture = EncoderArchitecture.Albert, SharedLayer = true } },
        { "TypeVocabularySize", Tiny with { Architecture = EncoderArchitecture.DistilBert, TypeVocabularySize = 0 } },
        { "HiddenActivation", Tiny with { HiddenActivation = HiddenActivation.GeluTanh } },
        { "FinalHeadActivation", Tiny with { FinalHeadActivation = HeadActivation.Relu } },
    };

    [Theory]
    [MemberData(nameof(NonBert))]
    public void NonBertForwardIsRefusedByField(string field, EncoderConfig config)
    {
        using var model = new MultiExitEncoder(config);
        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.ExportFullModel(model));
        Assert.StartsWith($"ONNX export writes the BERT forward only; this {config.Architecture} model sets {field}, which it does not compute", e.Message);
        Assert.Throws<ArgumentException>(() => OnnxExporter.ExportSegments(model));
    }

    [Fact]
    public void TheDefaultBertConfigStillExports()
    {
        using var model = new MultiExitEncoder(Tiny);
        Assert.NotEmpty(OnnxExporter.ExportFullModel(model).Graph.Node);
    }
}
