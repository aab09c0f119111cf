using System.Runtime.InteropServices;
using EarlyExit.Torch.Import;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Pretrained;
using Onnx;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Import;

/// <summary>Imports the real all-MiniLM-L6-v2 export; the numeric equivalence is in <c>AllMiniLmL6V2Tests</c>.</summary>
public sealed class OnnxBertImporterTests
{
    private static readonly Lazy<ModelProto> MiniLm = new(() =>
    {
        using Stream s = AllMiniLmL6V2.OpenOnnxModel();
        return OnnxBertImporter.ReadModel(s);
    });

    [Fact]
    public void LoadsEveryBackboneTensorAndTransposesMatMulWeights()
    {
        using var scope = NewDisposeScope();
        using var model = new MultiExitEncoder(EncoderConfig.AllMiniLmL6V2(classCount: 2));

        int loaded = OnnxBertImporter.LoadBackbone(model, MiniLm.Value);

        Assert.Equal(5 + 16 * 6, loaded); // 3 embeddings + LayerNorm (2), and 16 tensors per layer
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        // Layer 0's query weight is the MatMul right operand whose product gets query.bias added.
        GraphProto g = MiniLm.Value.Graph;
        string productWithBias = g.Node.Single(n => n.OpType == "Add" && n.Input.Contains("encoder.layer.0.attention.self.query.bias"))
            .Input.Single(i => i != "encoder.layer.0.attention.self.query.bias");
        string weightName = g.Node.Single(n => n.OpType == "MatMul" && n.Output[0] == productWithBias).Input[1];
        float[] onnxInOut = MemoryMarshal.Cast<byte, float>(g.Initializer.Single(t => t.Name == weightName).RawData.Span).ToArray();
        Tensor query = parameters["encoder.layer.0.attention.self.query.weight"];
        // ONNX stores (in, out) row-major: W[in=1, out=0] sits at 1·384 + 0; Linear stores (out, in): [0, 1].
        Assert.Equal(onnxInOut[1 * 384 + 0], query[0, 1].item<float>());
        Assert.Equal(onnxInOut[0 * 384 + 1], query[1, 0].item<float>());
        Assert.NotEqual(query[0, 1].item<float>(), query[1, 0].item<float>()); // else the check above proves nothing
        // A named tensor is copied as is: row 101 ([CLS]) of the word embeddings.
        float[] words = MemoryMarshal.Cast<byte, float>(g.Initializer.Single(t => t.Name == "embeddings.word_embeddings.weight").RawData.Span).ToArray();
        Assert.Equal(words.AsSpan(101 * 384, 384).ToArray(), parameters["embeddings.word_embeddings.weight"][101].data<float>().ToArray());
    }

    [Fact]
    public void ExitHeadsAreLeftAlone()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var model = new MultiExitEncoder(EncoderConfig.AllMiniLmL6V2(classCount: 2));
        float[] before = model.named_parameters().Single(p => p.name == "exits.3.classifier.weight").parameter.data<float>().ToArray();

        OnnxBertImporter.LoadBackbone(model, MiniLm.Value);

        Assert.Equal(before, model.named_parameters().Single(p => p.name == "exits.3.classifier.weight").parameter.data<float>().ToArray());
    }

    [Fact]
    public void MisshapenTensorIsNamedWithBothShapes()
    {
        using var scope = NewDisposeScope();
        using var model = new MultiExitEncoder(EncoderConfig.AllMiniLmL6V2(classCount: 2) with { VocabularySize = 30000 });

        var e = Assert.Throws<InvalidDataException>(() => OnnxBertImporter.LoadBackbone(model, MiniLm.Value));

        Assert.Equal("embeddings.word_embeddings.weight: the ONNX file gives [30522, 384] but the model expects [30000, 384]", e.Message);
    }

    [Fact]
    public void ModelWithMoreLayersNamesTheMissingTensors()
    {
        using var scope = NewDisposeScope();
        using var model = new MultiExitEncoder(EncoderConfig.AllMiniLmL6V2(classCount: 2) with { LayerCount = 7 });

        var e = Assert.Throws<InvalidDataException>(() => OnnxBertImporter.LoadBackbone(model, MiniLm.Value));

        // 101 + 16 for layer 6
        Assert.StartsWith("the ONNX file has 101 backbone tensors and the model 117; missing from the file: [encoder.layer.6.attention.output.LayerNorm.bias, ", e.Message);
        Assert.EndsWith("encoder.layer.6.output.dense.weight]; not in the model: []", e.Message);
    }

    [Fact]
    public void ModelWithFewerLayersNamesTheExtraTensors()
    {
        using var scope = NewDisposeScope();
        using var model = new MultiExitEncoder(EncoderConfig.AllMiniLmL6V2(classCount: 2) with { LayerCount = 5 });

        var e = Assert.Throws<InvalidDataException>(() => OnnxBertImporter.LoadBackbone(model, MiniLm.Value));

        Assert.Contains("missing from the file: []; not in the model: [encoder.layer.5.attention.output.LayerNorm.bias, ", e.Message);
    }
}
