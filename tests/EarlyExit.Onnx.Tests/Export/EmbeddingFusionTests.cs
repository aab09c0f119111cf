using EarlyExit.Onnx.Export;
using EarlyExit.Onnx.Runtime;
using EarlyExit.Onnx.Tests.TestDoubles;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace EarlyExit.Onnx.Tests.Export;

/// <summary>
/// The embeddings as ONNX Runtime's fused EmbedLayerNormalization, in the full graph and the first
/// segment, checked in the graph ORT optimizes and runs (issue 18 item 4). The numbers themselves
/// are checked against TorchSharp by the exporter and backend tests.
/// </summary>
public sealed class EmbeddingFusionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("earlyexit-fusion-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Ort_runs_the_embeddings_as_one_EmbedLayerNormalization_in_the_full_graph_and_the_first_segment()
    {
        OnnxSegments segments = OnnxExporter.ExportSegments(MiniLmFixture.Torch.Encoder);
        ModelProto full = OnnxExporter.ExportFullModel(MiniLmFixture.Torch.Encoder);
        foreach (var (name, model) in new[] { ("full", full), ("first", segments.First) })
        {
            ModelProto optimized = Optimized(name, model);
            var ops = optimized.Graph.Node.Select(n => n.OpType).ToList();
            Assert.Equal(1, ops.Count(o => o == "EmbedLayerNormalization"));
            // Nothing of the unfused form is left: no Gather on an embedding table, no LayerNormalization before the first layer's attention.
            Assert.DoesNotContain(optimized.Graph.Node, n => n.OpType == "Gather" && n.Input.Any(i => i.StartsWith("embeddings.", StringComparison.Ordinal)));
            Assert.DoesNotContain(optimized.Graph.Node, n => n.OpType is "Range");
        }
    }

    private ModelProto Optimized(string name, ModelProto model)
    {
        string path = Path.Combine(_folder, name + ".optimized.onnx");
        using (SessionOptions options = new OnnxBackendOptions { IntraOpThreads = 1 }.CreateSessionOptions())
        {
            options.OptimizedModelFilePath = path;
            using var session = new InferenceSession(model.ToByteArray(), options);
        }
        return ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
    }
}
