using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace EarlyExit.Onnx.Export;

/// <summary>
/// Appends nodes, initializers, inputs and outputs to one ONNX graph, naming intermediate values
/// itself (<c>t0</c>, <c>t1</c>, …) so graph code reads like the forward pass it mirrors.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly GraphProto _graph;
    private readonly HashSet<string> _initializers = new(StringComparer.Ordinal);
    private int _next;
    private bool _usesMicrosoftOps;

    /// <summary>The domain of ONNX Runtime's contrib operators (DynamicQuantizeMatMul).</summary>
    internal const string MicrosoftDomain = "com.microsoft";

    internal OnnxGraphBuilder(string name) => _graph = new GraphProto { Name = name };

    /// <summary>Declares a graph input; a dimension is a <see cref="string"/> (symbolic, e.g. "batch") or a <see cref="long"/>.</summary>
    internal string Input(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        _graph.Input.Add(ValueInfo(name, type, dims));
        return name;
    }

    /// <summary>Declares a graph output; some node must produce <paramref name="name"/>.</summary>
    internal void Output(string name, TensorProto.Types.DataType type, params object[] dims) =>
        _graph.Output.Add(ValueInfo(name, type, dims));

    /// <summary>
    /// Declares the shape of an intermediate value (graph.value_info). ORT's shape inference loses
    /// the symbolic sequence length after Range (it cannot tell that the positions have as many
    /// rows as the ids), and fusions such as SkipLayerNormalization need both operands of the
    /// residual Add to have the same known shape; stating it restores them.
    /// </summary>
    internal void Annotate(string name, TensorProto.Types.DataType type, params object[] dims) =>
        _graph.ValueInfo.Add(ValueInfo(name, type, dims));

    /// <summary>A float32 initializer; added once, later calls with the same name return it.</summary>
    internal string Floats(string name, ReadOnlySpan<float> values, params long[] dims) =>
        Raw(name, TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(values), dims);

    /// <summary>An int8 initializer; added once, later calls with the same name return it.</summary>
    internal string Int8s(string name, ReadOnlySpan<sbyte> values, params long[] dims) =>
        Raw(name, TensorProto.Types.DataType.Int8, MemoryMarshal.AsBytes(values), dims);

    private string Raw(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> bytes, long[] dims)
    {
        if (!_initializers.Add(name)) return name;
        var tensor = new TensorProto { Name = name, DataType = (int)type };
        tensor.Dims.AddRange(dims);
        // raw_data is little-endian by the ONNX spec, as float memory is on every platform ORT runs on here.
        tensor.RawData = ByteString.CopyFrom(bytes);
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>A float32 scalar constant (a 0-d initializer).</summary>
    internal string Scalar(float value) => Floats($"const_f_{BitConverter.SingleToInt32Bits(value):x8}", [value]);

    /// <summary>An int64 constant: a 0-d scalar when <paramref name="scalar"/>, else 1-D.</summary>
    internal string Int64s(bool scalar, params long[] values)
    {
        string name = (scalar ? "const_i_" : "const_is_") + string.Join("_", values).Replace('-', 'm');
        if (!_initializers.Add(name)) return name;
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        if (!scalar) tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds one node and returns its (single) output's name: <paramref name="output"/>, or a fresh one.</summary>
    internal string Node(string opType, string[] inputs, string? output = null, params AttributeProto[] attributes)
    {
        output ??= "t" + _next++;
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_graph.Node.Count}" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return output;
    }

    /// <summary>Adds a node of ONNX Runtime's contrib domain (<see cref="MicrosoftDomain"/>); the model then imports that domain too.</summary>
    internal string MicrosoftNode(string opType, string[] inputs, params AttributeProto[] attributes) =>
        MicrosoftNode(opType, inputs, 1, attributes)[0];

    /// <summary>A contrib-domain node with <paramref name="outputs"/> fresh outputs; returns their names.</summary>
    internal string[] MicrosoftNode(string opType, string[] inputs, int outputs, params AttributeProto[] attributes)
    {
        string first = Node(opType, inputs, null, attributes);
        NodeProto node = _graph.Node[^1];
        node.Domain = MicrosoftDomain;
        for (int i = 1; i < outputs; i++) node.Output.Add("t" + _next++);
        _usesMicrosoftOps = true;
        return [first, .. node.Output.Skip(1)];
    }

    internal static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    internal static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    internal static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>The finished model: one default-domain opset, IR version 8 (ONNX 1.10+; opset 17 needs IR ≥ 8).</summary>
    internal ModelProto ToModel(long opset)
    {
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "EarlyExit.Onnx",
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        if (_usesMicrosoftOps) model.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        return model;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (object dim in dims)
        {
            shape.Dim.Add(dim switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                long size => new TensorShapeProto.Types.Dimension { DimValue = size },
                int size => new TensorShapeProto.Types.Dimension { DimValue = size },
                _ => throw new ArgumentException($"a dimension is a string or an integer; got {dim.GetType().Name}", nameof(dims)),
            });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
