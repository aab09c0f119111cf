using System.Runtime.InteropServices;
using EarlyExit.Torch.Models;
using Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Import;

/// <summary>
/// Copies the weights of a BERT encoder exported to ONNX by PyTorch (as sentence-transformers'
/// all-MiniLM-L6-v2) into the backbone of a <see cref="MultiExitEncoder"/>. Exit heads are
/// not in such a file and keep their initial weights.
/// </summary>
/// <remarks>
/// The exporter keeps the names of embeddings, biases and LayerNorm parameters
/// (<c>encoder.layer.0.attention.self.query.bias</c>) but stores every Linear weight as an
/// unnamed, numbered initializer in [in, out] layout, the right operand of a MatMul. Each is
/// identified by following its MatMul to the Add that applies the named bias, and transposed
/// to Linear's [out, in]. The ONNX file's <c>pooler.*</c> (BERT's pooler, unused by
/// sentence-transformers) and <c>embeddings.position_ids</c> (a constant buffer) are ignored.
/// </remarks>
public static class OnnxBertImporter
{
    private const string BiasSuffix = ".bias";
    private const string WeightSuffix = ".weight";

    /// <summary>Reads an ONNX model.</summary>
    /// <param name="onnxModel">The serialized ModelProto; read to the end, not disposed.</param>
    /// <returns>The parsed model.</returns>
    public static ModelProto ReadModel(Stream onnxModel)
    {
        ArgumentNullException.ThrowIfNull(onnxModel);
        return ModelProto.Parser.ParseFrom(onnxModel);
    }

    /// <summary>
    /// Overwrites every backbone parameter of <paramref name="model"/> (all but <c>exits.*</c>)
    /// with the matching ONNX initializer.
    /// </summary>
    /// <param name="model">The target; its config must match the exported sizes.</param>
    /// <param name="onnx">A PyTorch-exported BERT encoder.</param>
    /// <returns>The number of tensors copied: 5 + 16 × layers (101 for MiniLM-L6).</returns>
    /// <exception cref="InvalidDataException">The file lacks a backbone tensor, has one the model
    /// lacks, a tensor's shape differs, a tensor is not float32, or a MatMul weight cannot be
    /// traced to a named bias; the message names the tensor and both shapes.</exception>
    public static int LoadBackbone(MultiExitEncoder model, ModelProto onnx)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(onnx);
        Dictionary<string, Parameter> targets = model.named_parameters()
            .Where(p => !p.name.StartsWith("exits.", StringComparison.Ordinal))
            .ToDictionary(p => p.name, p => p.parameter);
        Dictionary<string, Source> sources = FindBackboneTensors(onnx.Graph);

        string[] missing = [.. targets.Keys.Except(sources.Keys).Order(StringComparer.Ordinal)];
        string[] unexpected = [.. sources.Keys.Except(targets.Keys).Order(StringComparer.Ordinal)];
        if (missing.Length > 0 || unexpected.Length > 0)
            throw new InvalidDataException(
                $"the ONNX file has {sources.Count} backbone tensors and the model {targets.Count}; "
                + $"missing from the file: [{string.Join(", ", missing)}]; not in the model: [{string.Join(", ", unexpected)}]");

        foreach (var (name, source) in sources)
        {
            long[] expected = targets[name].shape;
            if (!source.Shape.SequenceEqual(expected))
                throw new InvalidDataException(
                    $"{name}: the ONNX file gives [{string.Join(", ", source.Shape)}]"
                    + (source.Transpose ? $" (initializer '{source.Tensor.Name}' [{string.Join(", ", source.Tensor.Dims)}], transposed)" : "")
                    + $" but the model expects [{string.Join(", ", expected)}]");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, source) in sources)
        {
            Tensor value = tensor(ReadFloats(name, source.Tensor), [.. source.Tensor.Dims]);
            targets[name].copy_(source.Transpose ? value.t() : value);
        }
        return sources.Count;
    }

    /// <summary>An initializer and how it maps onto a model parameter.</summary>
    private sealed record Source(TensorProto Tensor, bool Transpose)
    {
        /// <summary>The shape after the transpose, i.e. the parameter's.</summary>
        public long[] Shape => Transpose ? [.. Tensor.Dims.Reverse()] : [.. Tensor.Dims];
    }

    private static Dictionary<string, Source> FindBackboneTensors(GraphProto graph)
    {
        Dictionary<string, TensorProto> initializers = graph.Initializer.ToDictionary(t => t.Name);
        var sources = new Dictionary<string, Source>(StringComparer.Ordinal);
        foreach (TensorProto t in graph.Initializer)
        {
            if (IsBackboneName(t.Name) && t.Name != "embeddings.position_ids")
                sources.Add(t.Name, new Source(t, Transpose: false));
        }

        // Each tensor name → the nodes that read it, to follow a MatMul's output to its Add.
        ILookup<string, NodeProto> readers = graph.Node
            .SelectMany(n => n.Input.Select(input => (input, n)))
            .ToLookup(p => p.input, p => p.n);
        foreach (NodeProto matMul in graph.Node.Where(n => n.OpType == "MatMul"))
        {
            // x · W with W an unnamed initializer, (in, out); activations × activations (attention) are skipped.
            if (matMul.Input.Count != 2 || !initializers.TryGetValue(matMul.Input[1], out TensorProto? weight) || IsBackboneName(weight.Name))
                continue;
            string product = matMul.Output[0];
            NodeProto add = readers[product].SingleOrDefault(n => n.OpType == "Add")
                ?? throw new InvalidDataException($"MatMul '{matMul.Name}' with weight '{weight.Name}' is not followed by one Add of a bias");
            string bias = add.Input.Single(i => i != product);
            if (!bias.EndsWith(BiasSuffix, StringComparison.Ordinal) || !initializers.ContainsKey(bias))
                throw new InvalidDataException($"MatMul '{matMul.Name}' with weight '{weight.Name}' is followed by Add '{add.Name}' of '{bias}', not of a named bias");
            if (!IsBackboneName(bias)) continue;
            string name = bias[..^BiasSuffix.Length] + WeightSuffix;
            if (!sources.TryAdd(name, new Source(weight, Transpose: true)))
                throw new InvalidDataException($"two ONNX initializers map to {name}: '{sources[name].Tensor.Name}' and '{weight.Name}'");
        }
        return sources;
    }

    private static bool IsBackboneName(string name) =>
        name.StartsWith("embeddings.", StringComparison.Ordinal) || name.StartsWith("encoder.", StringComparison.Ordinal);

    private static float[] ReadFloats(string name, TensorProto t)
    {
        if (t.DataType != (int)TensorProto.Types.DataType.Float)
            throw new InvalidDataException($"{name}: ONNX initializer '{t.Name}' has data type {t.DataType}; expected float32 (1)");
        long count = t.Dims.Aggregate(1L, (a, d) => a * d);
        float[] values;
        if (t.RawData.Length > 0)
        {
            // raw_data is little-endian by the ONNX spec; so is every platform libtorch-cpu-linux-x64 runs on.
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw_data import needs a little-endian machine");
            values = MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();
        }
        else
        {
            values = [.. t.FloatData];
        }
        if (values.Length != count)
            throw new InvalidDataException($"{name}: ONNX initializer '{t.Name}' holds {values.Length} floats; its dims [{string.Join(", ", t.Dims)}] need {count}");
        return values;
    }
}
