using EarlyExit.Onnx.Export;
using EarlyExit.Onnx.Tests.TestDoubles;

namespace EarlyExit.Onnx.Tests.Export;

/// <summary>OnnxPrecision.Int8: which nodes the exporter writes, and what the weights become.</summary>
public sealed class Int8ExportTests
{
    [Fact]
    public void Every_linear_layer_becomes_DynamicQuantizeMatMul_with_per_channel_int8_weights()
    {
        OnnxSegments segments = OnnxExporter.ExportSegments(MiniLmFixture.Torch.Encoder, OnnxPrecision.Int8);
        var layer = segments.Layers[0].Graph;
        // A layer with its exit: Q, K, V, attention output, intermediate, output (6) + the head's dense and classifier (2).
        Assert.Equal(8, layer.Node.Count(n => n.OpType == "DynamicQuantizeMatMul" && n.Domain == "com.microsoft"));
        Assert.DoesNotContain(layer.Node, n => n.OpType == "MatMul" && n.Input.Any(i => i.EndsWith(".weight", StringComparison.Ordinal)));
        Assert.Contains(segments.Layers[0].OpsetImport, o => o.Domain == "com.microsoft" && o.Version == 1);
        // The query weight: [384, 384] int8, one scale per output column, zero points 0; by the definition,
        // each column's largest |q| is 127 (s_j = max |W_:j| / 127).
        var q = layer.Initializer.Single(t => t.Name == "encoder.layer.0.attention.self.query.weight_int8");
        Assert.Equal([384L, 384L], q.Dims);
        sbyte[] values = [.. q.RawData.Select(b => unchecked((sbyte)b))];
        for (int j = 0; j < 384; j += 97)
            Assert.Equal(127, Enumerable.Range(0, 384).Max(i => Math.Abs((int)values[(i * 384) + j])));
        Assert.Equal([384L], layer.Initializer.Single(t => t.Name == "encoder.layer.0.attention.self.query.weight_scale").Dims);
        // Float32 (the default) writes plain MatMuls and imports no contrib domain.
        var plain = OnnxExporter.ExportSegments(MiniLmFixture.Torch.Encoder).Layers[0];
        Assert.DoesNotContain(plain.Graph.Node, n => n.OpType == "DynamicQuantizeMatMul");
        Assert.DoesNotContain(plain.OpsetImport, o => o.Domain == "com.microsoft");
    }
}
