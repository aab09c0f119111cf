using EarlyExit.Data.Tokenization;
using EarlyExit.Onnx.Export;
using EarlyExit.Onnx.Runtime;
using EarlyExit.Onnx.Tests.TestDoubles;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Runtime;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace EarlyExit.Onnx.Tests.Export;

/// <summary>
/// The exported graphs against the TorchSharp model they came from, on real sentences: every
/// segment's hidden states and exit logits, and the full graph's logits, within 1e-4.
/// </summary>
public sealed class OnnxExporterTests
{
    // float32 through 6 layers, with ORT's fused kernels against libtorch's: differences are ~1e-6;
    // 1e-4 is the bar and still fails on any real mistake (a wrong op is off by ≥ 1e-2).
    private const float Tolerance = 1e-4f;

    [Fact]
    public void SegmentsReproduceHiddenStatesAndExitLogitsOfEveryLayerOnAPaddedBatch()
    {
        TokenBatch batch = MiniLmFixture.Tokenizer.EncodeBatch(MiniLmFixture.Sentences);
        // The batch really is padded: its shortest sentence is far shorter than its longest.
        Assert.True(batch.Lengths.Span.ToArray().Min() < batch.SequenceLength / 2);

        AssertSegmentsMatch(MiniLmFixture.Torch, MiniLmFixture.Onnx, batch);
    }

    [Fact]
    public void SegmentsReproduceEveryLayerForASingleSentence()
    {
        AssertSegmentsMatch(MiniLmFixture.Torch, MiniLmFixture.Onnx, MiniLmFixture.Tokenizer.Encode(MiniLmFixture.Sentences[2]));
    }

    [Fact]
    public void FullModelReproducesTheFinalExitOnAPaddedBatchAndOnOneSentence()
    {
        using OnnxClassifier classifier = OnnxClassifier.Create(MiniLmFixture.Torch.Encoder, MiniLmFixture.Options);
        foreach (TokenBatch batch in new[]
        {
            MiniLmFixture.Tokenizer.EncodeBatch(MiniLmFixture.Sentences),
            MiniLmFixture.Tokenizer.Encode(MiniLmFixture.Sentences[0]),
        })
        {
            float[] expected = TorchLogits(MiniLmFixture.Torch, batch, MiniLmFixture.Torch.ExitCount - 1);

            float[] actual = classifier.Run(batch);

            AssertClose(expected, actual, "full model logits");
        }
    }

    [Fact]
    public void ClsPoolingWithoutDenseHeadIsExportedToo()
    {
        // A small random encoder (synthetic weights from a fixed seed) covers the other head shape:
        // [CLS] pooling and a classifier straight on it.
        var config = new EncoderConfig
        {
            VocabularySize = MiniLmFixture.Tokenizer.VocabularySize, HiddenSize = 32, LayerCount = 2, HeadCount = 4,
            IntermediateSize = 64, ClassCount = 5, Pooling = ExitPooling.Cls, HeadDense = false,
        };
        random.manual_seed(7);
        using var encoder = new MultiExitEncoder(config);
        var torchModel = new EncoderExitModel(encoder);
        using OnnxExitModel onnxModel = OnnxExitModel.Create(encoder, MiniLmFixture.Options);

        AssertSegmentsMatch(torchModel, onnxModel, MiniLmFixture.Tokenizer.EncodeBatch(MiniLmFixture.Sentences));
    }

    [Fact]
    public void SaveWritesOneLoadableFilePerSegment()
    {
        OnnxSegments segments = OnnxExporter.ExportSegments(MiniLmFixture.Torch.Encoder);
        string directory = Path.Combine(Path.GetTempPath(), "earlyexit-onnx-" + Guid.NewGuid().ToString("N"));
        try
        {
            segments.Save(directory);

            string[] expected = [OnnxSegments.EmbeddingsFileName,
                .. Enumerable.Range(0, 6).SelectMany(k => new[] { OnnxSegments.LayerFileName(k), OnnxSegments.ExitFileName(k) })];
            Assert.Equal(expected.Order(), Directory.GetFiles(directory).Select(Path.GetFileName).Order());
            using var session = new InferenceSession(Path.Combine(directory, OnnxSegments.LayerFileName(3)));
            Assert.Equal([OnnxTensorNames.Hidden, OnnxTensorNames.AttentionBias, OnnxTensorNames.AttentionMask], session.InputNames);
            Assert.Equal([OnnxTensorNames.HiddenOut, OnnxTensorNames.Logits], session.OutputNames);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Embeddings, then for each layer k the hidden states and exit k's logits, ONNX against TorchSharp.</summary>
    private static void AssertSegmentsMatch(EncoderExitModel torchModel, OnnxExitModel onnxModel, TokenBatch batch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        ExitBatchState expected = torchModel.Begin(batch);
        ExitBatchState actual = onnxModel.Begin(batch);
        AssertClose(expected.Hidden, actual.Hidden, "embeddings");
        AssertClose(expected.AttentionBias!, actual.AttentionBias!, "attention bias");
        for (int k = 0; k < torchModel.ExitCount; k++)
        {
            LayerStep want = ((IMultiExitModel)torchModel).RunLayerAndExit(k, expected);
            LayerStep got = onnxModel.RunLayerAndExit(k, actual);
            AssertClose(want.State.Hidden, got.State.Hidden, $"hidden states after layer {k}");
            AssertClose(want.Logits, got.Logits, $"logits of exit {k}");
            // Head k's own graph agrees with the segment that holds it.
            AssertClose(got.Logits, onnxModel.RunExit(k, got.State), $"exit graph {k}");
            // Each backend continues from its own states, so errors would compound as in real use.
            (expected, actual) = (want.State, got.State);
        }
    }

    private static float[] TorchLogits(EncoderExitModel model, TokenBatch batch, int exit)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        ExitBatchState state = model.Begin(batch);
        for (int k = 0; k < exit; k++) state = model.RunLayer(k, state);
        return model.RunExit(exit, model.RunLayer(exit, state)).data<float>().ToArray();
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        AssertClose(expected.contiguous().data<float>().ToArray(), actual.contiguous().data<float>().ToArray(), what);
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int worst = 0;
        for (int i = 1; i < expected.Length; i++)
        {
            if (Math.Abs(expected[i] - actual[i]) > Math.Abs(expected[worst] - actual[worst])) worst = i;
        }
        float error = Math.Abs(expected[worst] - actual[worst]);
        Assert.True(error <= Tolerance, $"{what}: element {worst} is {actual[worst]}, expected {expected[worst]} (|diff| {error} > {Tolerance})");
    }
}
