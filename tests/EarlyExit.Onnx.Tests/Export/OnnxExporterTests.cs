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
/// segment's hidden states and exit logits, and the full graph's logits, within 1e-4 (see
/// <see cref="ExportAssert.Tolerance"/>).
/// </summary>
public sealed class OnnxExporterTests
{
    [Fact]
    public void SegmentsReproduceHiddenStatesAndExitLogitsOfEveryLayerOnAPaddedBatch()
    {
        TokenBatch batch = MiniLmFixture.Tokenizer.EncodeBatch(MiniLmFixture.Sentences);
        // The batch really is padded: its shortest sentence is far shorter than its longest.
        Assert.True(batch.Lengths.Span.ToArray().Min() < batch.SequenceLength / 2);

        ExportAssert.SegmentsMatch(MiniLmFixture.Torch, MiniLmFixture.Onnx, batch);
    }

    [Fact]
    public void SegmentsReproduceEveryLayerForASingleSentence()
    {
        ExportAssert.SegmentsMatch(MiniLmFixture.Torch, MiniLmFixture.Onnx, MiniLmFixture.Tokenizer.Encode(MiniLmFixture.Sentences[2]));
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
            ExportAssert.FullModelMatches(MiniLmFixture.Torch, classifier, batch);
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

        ExportAssert.SegmentsMatch(torchModel, onnxModel, MiniLmFixture.Tokenizer.EncodeBatch(MiniLmFixture.Sentences));
    }

    [Fact]
    public void SaveWritesOneLoadableFilePerSegment()
    {
        OnnxSegments segments = OnnxExporter.ExportSegments(MiniLmFixture.Torch.Encoder);
        string directory = Path.Combine(Path.GetTempPath(), "earlyexit-onnx-" + Guid.NewGuid().ToString("N"));
        try
        {
            segments.Save(directory);

            string[] expected = [OnnxSegments.EmbeddingsFileName, OnnxSegments.FirstFileName,
                .. Enumerable.Range(0, 6).SelectMany(k => new[] { OnnxSegments.LayerFileName(k), OnnxSegments.ExitFileName(k) })];
            Assert.Equal(expected.Order(), Directory.GetFiles(directory).Select(Path.GetFileName).Order());
            using var session = new InferenceSession(Path.Combine(directory, OnnxSegments.LayerFileName(3)));
            // The heads pool over the tokens the bias marks: a segment needs no mask.
            Assert.Equal([OnnxTensorNames.Hidden, OnnxTensorNames.AttentionBias], session.InputNames);
            Assert.Equal([OnnxTensorNames.HiddenOut, OnnxTensorNames.Logits], session.OutputNames);
            using var exit = new InferenceSession(Path.Combine(directory, OnnxSegments.ExitFileName(3)));
            Assert.Equal([OnnxTensorNames.Hidden, OnnxTensorNames.AttentionBias], exit.InputNames);
            Assert.Equal([OnnxTensorNames.Logits], exit.OutputNames);
            using var first = new InferenceSession(Path.Combine(directory, OnnxSegments.FirstFileName));
            Assert.Equal([OnnxTensorNames.InputIds, OnnxTensorNames.TokenTypeIds, OnnxTensorNames.AttentionMask], first.InputNames);
            Assert.Equal([OnnxTensorNames.HiddenOut, OnnxTensorNames.AttentionBias, OnnxTensorNames.Logits], first.OutputNames);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
