using System.Text.Json.Nodes;
using EarlyExit.Data.Tokenization;
using EarlyExit.Onnx.Export;
using EarlyExit.Onnx.Tests.TestDoubles;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Runtime;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;

namespace EarlyExit.Onnx.Tests.Export;

/// <summary>
/// The manifest is enough for another runtime: a reader that knows only manifest.json and ONNX
/// Runtime's plain API, following the steps it lists, gets every exit's logits of the TorchSharp model.
/// </summary>
public sealed class OnnxManifestTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("onnx-manifest-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void FollowingTheManifestReproducesEveryExitOfTheModel()
    {
        // A small random encoder (synthetic weights, fixed seed), 3 layers, [CLS] pooling.
        var config = new EncoderConfig
        {
            VocabularySize = MiniLmFixture.Tokenizer.VocabularySize, HiddenSize = 32, LayerCount = 3, HeadCount = 4,
            IntermediateSize = 64, ClassCount = 2, Pooling = ExitPooling.Cls,
        };
        random.manual_seed(11);
        using var encoder = new MultiExitEncoder(config);
        var torchModel = new EncoderExitModel(encoder);
        OnnxSegments segments = OnnxExporter.ExportSegments(encoder);
        JsonObject manifest = OnnxManifest.Create(segments, ["ham", "spam"], [1.0, 2.0, 3.0], 128,
            new JsonObject { ["kind"] = "WordPiece" }, calibration: null);
        OnnxManifest.Save(_folder, segments, manifest);
        TokenBatch batch = MiniLmFixture.Tokenizer.EncodeBatch(MiniLmFixture.Sentences);

        // The foreign reader: manifest.json and ORT only.
        JsonObject read = JsonNode.Parse(File.ReadAllText(Path.Combine(_folder, OnnxManifest.FileName)))!.AsObject();
        Assert.Equal(OnnxManifest.FormatVersion, (int)read["format_version"]!);
        Assert.Equal(["ham", "spam"], read["labels"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(["input_ids", "token_type_ids", "attention_mask"], read["inputs"]!.AsArray().Select(n => (string)n!["name"]!));
        long[] shape = [batch.BatchSize, batch.SequenceLength];
        var inputs = new Dictionary<string, NamedOnnxValue>
        {
            ["input_ids"] = NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(batch.InputIds.ToArray(), [.. shape.Select(d => (int)d)])),
            ["token_type_ids"] = NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(batch.TokenTypeIds.ToArray(), [.. shape.Select(d => (int)d)])),
            ["attention_mask"] = NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(batch.AttentionMask.ToArray(), [.. shape.Select(d => (int)d)])),
        };
        var outputsOfStep = new List<Dictionary<string, DenseTensor<float>>>();
        JsonArray steps = read["steps"]!.AsArray();
        Assert.Equal(3, steps.Count);
        foreach (JsonNode? step in steps)
        {
            var feed = new List<NamedOnnxValue>();
            foreach (var (name, source) in step!["inputs"]!.AsObject())
            {
                string from = (string)source!;
                if (from == "input") { feed.Add(inputs[name]); continue; }
                // "step j: output"
                int j = int.Parse(from["step ".Length..from.IndexOf(':')]);
                string output = from[(from.IndexOf(':') + 2)..];
                feed.Add(NamedOnnxValue.CreateFromTensor(name, outputsOfStep[j][output]));
            }
            using var session = new InferenceSession(Path.Combine(_folder, (string)step["file"]!));
            using var results = session.Run(feed);
            outputsOfStep.Add(results.ToDictionary(r => r.Name, r => (DenseTensor<float>)r.AsTensor<float>().Clone()));
        }

        for (int k = 0; k < config.LayerCount; k++)
        {
            float[] expected = TorchLogits(torchModel, batch, k);
            float[] actual = outputsOfStep[k]["logits"].ToArray();
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4, $"exit {k} element {i}: {actual[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void LabelsAndCostsMustMatchTheModel()
    {
        var config = new EncoderConfig { VocabularySize = 50, HiddenSize = 8, LayerCount = 2, HeadCount = 2, IntermediateSize = 16, ClassCount = 2 };
        using var encoder = new MultiExitEncoder(config);
        OnnxSegments segments = OnnxExporter.ExportSegments(encoder);
        Assert.Contains("labelNames must name the model's 2 classes; got 3",
            Assert.Throws<ArgumentException>(() => OnnxManifest.Create(segments, ["a", "b", "c"], [1, 2], 8, null, null)).Message);
        Assert.Contains("cumulativeFlops must hold one value per exit (2); got 1",
            Assert.Throws<ArgumentException>(() => OnnxManifest.Create(segments, ["a", "b"], [1], 8, null, null)).Message);
    }

    private static float[] TorchLogits(EncoderExitModel model, TokenBatch batch, int exit)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        ExitBatchState state = model.Begin(batch);
        for (int k = 0; k < exit; k++) state = model.RunLayer(k, state);
        return model.RunExit(exit, model.RunLayer(exit, state)).data<float>().ToArray();
    }
}
