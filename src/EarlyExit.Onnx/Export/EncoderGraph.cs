using EarlyExit.Torch.Models;
using Onnx;
using TorchSharp;
using static EarlyExit.Onnx.Export.OnnxGraphBuilder;
using static TorchSharp.torch;
using DataType = Onnx.TensorProto.Types.DataType;

namespace EarlyExit.Onnx.Export;

/// <summary>
/// Writes the parts of a <see cref="MultiExitEncoder"/>'s forward pass into ONNX graphs with the
/// model's weights as initializers: the embeddings, a BERT layer and an exit head, op for op as
/// the TorchSharp modules compute them (Models/Bert*.cs, ExitHead.cs), for every Hugging Face
/// family the one encoder runs (docs/models.md): factorised embeddings with their projection,
/// RoBERTa's position ids, no token types, ALBERT's shared layer, each hidden and head activation.
/// </summary>
/// <remarks>
/// Initializers keep the state-dict names (<c>encoder.layer.0.attention.self.query.weight</c>);
/// a Linear weight is stored transposed, [in, out], as the right operand of MatMul (the layout
/// PyTorch's exporter uses too). Only standard ONNX ops of opset 17 are used
/// (LayerNormalization is the newest), so ONNX Runtime's own fusions (attention, GELU,
/// LayerNorm + residual) apply to the segments and the full model alike. A BERT config
/// (every new field at its default) gives exactly the graphs it gave before those fields existed,
/// node for node, since those fusions match patterns.
/// </remarks>
internal sealed class EncoderGraph
{
    /// <summary>The opset every exported graph imports: 17 brings LayerNormalization.</summary>
    internal const long Opset = 17;

    private readonly Dictionary<string, float[]> _weights;
    private readonly Dictionary<string, long[]> _shapes;

    internal EncoderGraph(MultiExitEncoder encoder, OnnxPrecision precision = OnnxPrecision.Float32)
    {
        Precision = precision;
        ArgumentNullException.ThrowIfNull(encoder);
        Config = encoder.Config;
        RefuseUnwritten(Config);
        _weights = new(StringComparer.Ordinal);
        _shapes = new(StringComparer.Ordinal);
        // Enumerated before the scope opens: a module may hand out a new wrapper of a native
        // parameter (the embedding tables do), and a scope would dispose the module's wrapper.
        var parameters = encoder.named_parameters().ToList();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, parameter) in parameters)
        {
            // 2-D Linear weights go in [in, out], MatMul's layout; the look-up tables
            // (embeddings.*_embeddings.weight) stay [rows, width] for Gather. The embedding
            // projection (embeddings.projection.weight) is a Linear, so it is transposed too.
            bool table = name.StartsWith("embeddings.", StringComparison.Ordinal) && name.EndsWith("_embeddings.weight", StringComparison.Ordinal);
            bool linear = parameter.dim() == 2 && !table;
            Tensor value = parameter.detach().cpu().to_type(ScalarType.Float32);
            if (linear) value = value.t();
            _weights[name] = value.contiguous().data<float>().ToArray();
            _shapes[name] = value.shape;
        }
    }

    internal EncoderConfig Config { get; }

    /// <summary>How the Linear layers are written: float32 MatMul, or int8 weights with dynamically quantized activations.</summary>
    internal OnnxPrecision Precision { get; }

    /// <summary>The feed-forward activations <see cref="Activate"/> writes.</summary>
    private static readonly HiddenActivation[] WrittenHiddenActivations =
        [HiddenActivation.Gelu, HiddenActivation.GeluTanh, HiddenActivation.Relu, HiddenActivation.Silu];

    /// <summary>The head activations <see cref="Exit"/> writes.</summary>
    private static readonly HeadActivation[] WrittenHeadActivations = [HeadActivation.Tanh, HeadActivation.Gelu, HeadActivation.Relu];

    /// <summary>
    /// Every field of today's config has its graph below; an activation added to the enums later
    /// would not, and is refused here, before any graph is built, rather than exported wrong.
    /// </summary>
    private static void RefuseUnwritten(EncoderConfig c)
    {
        if (!WrittenHiddenActivations.Contains(c.HiddenActivation))
            throw new NotSupportedException($"ONNX export does not write HiddenActivation {c.HiddenActivation}; it writes {string.Join(", ", WrittenHiddenActivations)}");
        if (!WrittenHeadActivations.Contains(c.FinalHeadActivation))
            throw new NotSupportedException($"ONNX export does not write FinalHeadActivation {c.FinalHeadActivation}; it writes {string.Join(", ", WrittenHeadActivations)}");
    }

    /// <summary>
    /// BertEmbeddings (word + position + token type, LayerNorm, then the projection to the hidden
    /// size when <see cref="EncoderConfig.EmbeddingSize"/> is set) and the attention bias of
    /// <see cref="MultiExitEncoder.AttentionBias"/>, (1 − mask) · float.MinValue as (batch, 1, 1, seq).
    /// </summary>
    /// <returns>The names of (batch, seq, hidden) embeddings and (batch, 1, 1, seq) bias.</returns>
    /// <remarks>
    /// Without token types (<see cref="EncoderConfig.TypeVocabularySize"/> 0) the graph still takes
    /// token_type_ids, unused, so every exported model has the same three inputs.
    /// </remarks>
    internal (string Hidden, string Bias) Embeddings(OnnxGraphBuilder g, string ids, string types, string mask, string? hiddenName, string? biasName)
    {
        string bias = AttentionBias(g, mask, biasName);
        if (Config.TypeVocabularySize > 0 && !Config.PositionsFromPadding)
            return (FusedEmbeddings(g, ids, types, mask, hiddenName), bias);
        // Nodes in BERT's order (word, positions, types, then the sums).
        string word = g.Node("Gather", [Weight(g, "embeddings.word_embeddings.weight"), ids]);          // (batch, seq, width)
        string positions = PositionIds(g, ids);
        string position = g.Node("Gather", [Weight(g, "embeddings.position_embeddings.weight"), positions]);
        string? type = Config.TypeVocabularySize > 0
            ? g.Node("Gather", [Weight(g, "embeddings.token_type_embeddings.weight"), types])
            : null; // DistilBERT: no token-type embeddings
        string sum = g.Node("Add", [word, position]);
        if (type is not null) sum = g.Node("Add", [sum, type]);
        string hidden = Config.EmbeddingSize is null
            ? LayerNorm(g, sum, "embeddings.LayerNorm", hiddenName)
            // ELECTRA's embeddings_project / ALBERT's embedding_hidden_mapping_in: LayerNorm at the
            // embedding width, then (batch, seq, embedding) → (batch, seq, hidden).
            : Linear(g, LayerNorm(g, sum, "embeddings.LayerNorm"), "embeddings.projection", hiddenName);
        return (hidden, bias);
    }

    /// <summary>
    /// Word + position (0..seq−1) + token-type embeddings and their LayerNorm as one ONNX Runtime
    /// EmbedLayerNormalization (com.microsoft) node: ORT does not fuse the ~14 nodes of the plain
    /// form itself (their int64 Range/Gather of positions does not match its pattern), and at batch 1
    /// they cost ≈ 0.3 ms a call. It needs int32 ids; its mask_index output is not used (the layers
    /// take the attention bias). Only for absolute positions counted from 0 with token types (BERT,
    /// MiniLM, ELECTRA); RoBERTa's positions and DistilBERT's missing types keep the plain form.
    /// </summary>
    private string FusedEmbeddings(OnnxGraphBuilder g, string ids, string types, string mask, string? hiddenName)
    {
        string To32(string x) => g.Node("Cast", [x], attributes: Int("to", (long)DataType.Int32));
        string normalized = g.MicrosoftNode("EmbedLayerNormalization",
            [To32(ids), To32(types), Weight(g, "embeddings.word_embeddings.weight"), Weight(g, "embeddings.position_embeddings.weight"),
             Weight(g, "embeddings.token_type_embeddings.weight"), Weight(g, "embeddings.LayerNorm.weight"), Weight(g, "embeddings.LayerNorm.bias"), To32(mask)],
            2, Float("epsilon", (float)Config.LayerNormEpsilon))[0];
        return Config.EmbeddingSize is null
            ? (hiddenName is null ? normalized : g.Node("Identity", [normalized], hiddenName))
            : Linear(g, normalized, "embeddings.projection", hiddenName);
    }

    /// <summary>(1 − mask) · float.MinValue as (batch, 1, 1, seq), <see cref="MultiExitEncoder.AttentionBias"/>.</summary>
    private static string AttentionBias(OnnxGraphBuilder g, string mask, string? biasName)
    {
        string maskFloat = g.Node("Cast", [mask], attributes: Int("to", (long)DataType.Float));
        string inverted = g.Node("Sub", [g.Scalar(1f), maskFloat]);
        string bias = g.Node("Mul", [inverted, g.Scalar(float.MinValue)]);
        return g.Node("Unsqueeze", [bias, g.Int64s(false, 1, 2)], biasName); // (batch, seq) → (batch, 1, 1, seq)
    }

    /// <summary>
    /// The position ids: 0..seq−1 as (seq), broadcast over the batch by the Add (BERT); or, with
    /// <see cref="EncoderConfig.PositionsFromPadding"/>, RoBERTa's cumsum(ids ≠ pad)·(ids ≠ pad) + pad
    /// as (batch, seq), as BertEmbeddings computes them from the ids (not from the mask).
    /// </summary>
    private string PositionIds(OnnxGraphBuilder g, string ids)
    {
        if (Config.PositionsFromPadding)
        {
            string pad = g.Int64s(true, Config.PaddingId);
            string real = g.Node("Cast", [g.Node("Not", [g.Node("Equal", [ids, pad])])], attributes: Int("to", (long)DataType.Int64));
            string counted = g.Node("CumSum", [real, g.Int64s(true, 1)]); // along the sequence: 1, 2, … over real tokens
            return g.Node("Add", [g.Node("Mul", [counted, real]), pad]);
        }
        // seq from the ids' shape.
        string seq = g.Node("Gather", [g.Node("Shape", [ids]), g.Int64s(true, 1)], attributes: Int("axis", 0));
        return g.Node("Range", [g.Int64s(true, 0), seq, g.Int64s(true, 1)]);
    }

    /// <summary>
    /// BertLayer k: self-attention with the additive bias, residual + LayerNorm, the feed-forward
    /// block with <see cref="EncoderConfig.HiddenActivation"/>, residual + LayerNorm. With
    /// <see cref="EncoderConfig.SharedLayer"/> every depth reads the one layer's weights,
    /// <c>encoder.layer.0.*</c>, as BertEncoder hands them out; a graph holding several depths
    /// (the full model) then holds those initializers once.
    /// </summary>
    internal string Layer(OnnxGraphBuilder g, int k, string hidden, string bias, string? outputName)
    {
        string prefix = $"encoder.layer.{(Config.SharedLayer ? 0 : k)}.";
        long heads = Config.HeadCount, headSize = Config.HeadSize;
        string splitShape = g.Int64s(false, 0, 0, heads, headSize);
        // (batch, seq, hidden) → (batch, seq, heads, headSize) → perm: (batch, heads, seq, headSize), or (batch, heads, headSize, seq) for keys.
        string Split(string x, long[] perm) => g.Node("Transpose", [g.Node("Reshape", [x, splitShape])], attributes: Ints("perm", perm));
        string q = Split(Linear(g, hidden, prefix + "attention.self.query"), [0, 2, 1, 3]);
        string kT = Split(Linear(g, hidden, prefix + "attention.self.key"), [0, 2, 3, 1]);
        string v = Split(Linear(g, hidden, prefix + "attention.self.value"), [0, 2, 1, 3]);
        // (batch, heads, seq, seq) = q·kᵀ / √headSize + bias (broadcast over heads and queries), as BertSelfAttention.
        string scores = g.Node("Div", [g.Node("MatMul", [q, kT]), g.Scalar((float)Math.Sqrt(headSize))]);
        string probabilities = g.Node("Softmax", [g.Node("Add", [scores, bias])], attributes: Int("axis", -1));
        // (batch, heads, seq, headSize) → (batch, seq, heads, headSize) → (batch, seq, hidden)
        string context = g.Node("Transpose", [g.Node("MatMul", [probabilities, v])], attributes: Ints("perm", 0, 2, 1, 3));
        context = g.Node("Reshape", [context, g.Int64s(false, 0, 0, heads * headSize)]);
        string attended = LayerNorm(g, g.Node("Add", [hidden, Linear(g, context, prefix + "attention.output.dense")]), prefix + "attention.output.LayerNorm");

        string activated = Activate(g, Linear(g, attended, prefix + "intermediate.dense"), Config.HiddenActivation);
        return LayerNorm(g, g.Node("Add", [attended, Linear(g, activated, prefix + "output.dense")]), prefix + "output.LayerNorm", outputName);
    }

    /// <summary>The feed-forward activation, by the formula BertIntermediate.Activate uses for it.</summary>
    private static string Activate(OnnxGraphBuilder g, string x, HiddenActivation activation) => activation switch
    {
        HiddenActivation.Gelu => Gelu(g, x),
        // 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))), HF's gelu_new / gelu_pytorch_tanh, as BertIntermediate
        // writes it out (ORT fuses this pattern into FastGelu).
        HiddenActivation.GeluTanh => g.Node("Mul", [
            g.Node("Mul", [x, g.Scalar(0.5f)]),
            g.Node("Add", [
                g.Node("Tanh", [g.Node("Mul", [
                    g.Node("Add", [x, g.Node("Mul", [g.Node("Pow", [x, g.Scalar(3f)]), g.Scalar(0.044715f)])]),
                    g.Scalar((float)Math.Sqrt(2 / Math.PI))])]),
                g.Scalar(1f)])]),
        HiddenActivation.Relu => g.Node("Relu", [x]),
        HiddenActivation.Silu => g.Node("Mul", [x, g.Node("Sigmoid", [x])]), // x·σ(x)
        _ => throw new NotSupportedException($"ONNX export does not write HiddenActivation {activation}"),
    };

    /// <summary>Exact GELU, x · ½ (1 + erf(x / √2)), as nn.functional.gelu (the pattern ORT fuses into one Gelu kernel).</summary>
    private static string Gelu(OnnxGraphBuilder g, string x)
    {
        string erf = g.Node("Erf", [g.Node("Div", [x, g.Scalar(MathF.Sqrt(2f))])]);
        return g.Node("Mul", [g.Node("Mul", [x, g.Node("Add", [erf, g.Scalar(1f)])]), g.Scalar(0.5f)]);
    }

    /// <summary>
    /// ExitHead k: pooling (mean over the tokens, or [CLS]), optional dense + activation (tanh for
    /// internal exits, <see cref="EncoderConfig.FinalHeadActivation"/> for the last, as
    /// MultiExitEncoder builds its heads), classifier.
    /// </summary>
    /// <param name="g">The graph being built.</param>
    /// <param name="k">The exit.</param>
    /// <param name="hidden">(batch, seq, hidden), layer k's output.</param>
    /// <param name="bias">(batch, 1, 1, seq) attention bias, 0 on tokens and float.MinValue on padding (<see cref="Embeddings"/>).</param>
    /// <param name="outputName">The logits' name, or null for a generated one.</param>
    /// <returns>The name of the (batch, classes) logits.</returns>
    /// <remarks>
    /// The head works on (batch, 1, hidden), squeezed to (batch, classes) only at the end: ORT fuses
    /// a MatMul + Add on 2-D operands into Gemm, which re-packs its weight on every call (~0.1 ms for
    /// the 384 × 384 dense layer at batch 1), while a 3-D MatMul reads weights packed once when the
    /// session loads. Early exit pays a head at every exit it reaches, so its cost counts.
    /// </remarks>
    internal string Exit(OnnxGraphBuilder g, int k, string hidden, string bias, string? outputName)
    {
        string prefix = $"exits.{k}.";
        string pooled; // (batch, 1, hidden)
        if (Config.PoolingOf(k) == ExitPooling.Cls)
        {
            pooled = g.Node("Gather", [hidden, g.Int64s(false, 0)], attributes: Int("axis", 1)); // token 0 is [CLS]
        }
        else
        {
            // Σ_t hidden·mask / Σ_t mask, as ExitHead.MeanOverMask, as one batched MatMul of (batch, 1, seq)
            // weights times (batch, seq, hidden). The weights are the softmax of the attention bias, 0 on
            // tokens and float.MinValue on padding: exp(0) = 1 per token, exp(MinValue) = 0 per pad, so
            // softmax = mask / count. Two nodes instead of five (Cast, ReduceSum, Max, Div, Unsqueeze of
            // the mask): ORT spends ~7 µs per node beside its kernel, and early exit pays a head at every
            // exit it reaches. Every row holds [CLS] and [SEP] (TokenBatch comes from the tokenizer), so
            // the count is never 0, where MeanOverMask would divide by 1 instead.
            string weights = g.Node("Softmax", [bias], attributes: Int("axis", -1));  // (batch, 1, 1, seq)
            weights = g.Node("Reshape", [weights, g.Int64s(false, 0, 1, -1)]);        // (batch, 1, seq)
            pooled = g.Node("MatMul", [weights, hidden]);
        }
        if (Config.HeadDense)
        {
            string dense = Linear(g, pooled, prefix + "dense");
            HeadActivation activation = k == Config.LayerCount - 1 ? Config.FinalHeadActivation : HeadActivation.Tanh;
            pooled = activation switch
            {
                HeadActivation.Tanh => g.Node("Tanh", [dense]),
                HeadActivation.Gelu => Gelu(g, dense),  // ELECTRA's head, exact as in ExitHead.Classify
                HeadActivation.Relu => g.Node("Relu", [dense]), // DistilBERT's pre_classifier
                _ => throw new NotSupportedException($"ONNX export does not write FinalHeadActivation {activation}"),
            };
        }
        return g.Node("Squeeze", [Linear(g, pooled, prefix + "classifier"), g.Int64s(false, 1)], outputName);
    }

    /// <summary>x · Wᵀ + b with W stored [in, out]; in int8, ONNX Runtime's DynamicQuantizeMatMul (see <see cref="OnnxPrecision.Int8"/>).</summary>
    private string Linear(OnnxGraphBuilder g, string x, string module, string? outputName = null)
    {
        if (Precision == OnnxPrecision.Float32)
            return g.Node("Add", [g.Node("MatMul", [x, Weight(g, module + ".weight")]), Weight(g, module + ".bias")], outputName);
        var (quantized, scales) = QuantizePerColumn(module + ".weight");
        long columns = _shapes[module + ".weight"][1];
        string product = g.MicrosoftNode("DynamicQuantizeMatMul",
            [x, g.Int8s(module + ".weight_int8", quantized, _shapes[module + ".weight"]), g.Floats(module + ".weight_scale", scales, columns),
             g.Int8s(module + ".weight_zero_point", new sbyte[columns], columns), Weight(g, module + ".bias")]);
        return outputName is null ? product : g.Node("Identity", [product], outputName);
    }

    /// <summary>
    /// Symmetric per-output-channel int8: column j of W [in, out] gets s_j = max_i |W_ij| / 127 and
    /// q_ij = round(W_ij / s_j) in [−127, 127], zero point 0 (an all-zero column gets s_j = 1).
    /// </summary>
    private (sbyte[] Values, float[] Scales) QuantizePerColumn(string name)
    {
        float[] w = _weights[name];
        long rows = _shapes[name][0], columns = _shapes[name][1];
        var scales = new float[columns];
        for (long i = 0; i < rows; i++)
            for (long j = 0; j < columns; j++) scales[j] = Math.Max(scales[j], Math.Abs(w[(i * columns) + j]));
        for (long j = 0; j < columns; j++) scales[j] = scales[j] > 0 ? scales[j] / 127f : 1f;
        var q = new sbyte[w.Length];
        for (long i = 0; i < rows; i++)
            for (long j = 0; j < columns; j++) q[(i * columns) + j] = (sbyte)Math.Clamp(MathF.Round(w[(i * columns) + j] / scales[j]), -127, 127);
        return (q, scales);
    }

    private string LayerNorm(OnnxGraphBuilder g, string x, string module, string? outputName = null) =>
        g.Node("LayerNormalization", [x, Weight(g, module + ".weight"), Weight(g, module + ".bias")], outputName,
            Int("axis", -1), Float("epsilon", (float)Config.LayerNormEpsilon));

    private string Weight(OnnxGraphBuilder g, string name)
    {
        if (!_weights.TryGetValue(name, out float[]? values))
            throw new InvalidOperationException($"the encoder has no parameter '{name}'; it has [{string.Join(", ", _weights.Keys.Take(8))}, …]");
        return g.Floats(name, values, _shapes[name]);
    }
}
