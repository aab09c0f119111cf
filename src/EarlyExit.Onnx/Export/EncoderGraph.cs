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
/// the TorchSharp modules compute them (Models/Bert*.cs, ExitHead.cs).
/// </summary>
/// <remarks>
/// Initializers keep the state-dict names (<c>encoder.layer.0.attention.self.query.weight</c>);
/// a Linear weight is stored transposed, [in, out], as the right operand of MatMul (the layout
/// PyTorch's exporter uses too). Only standard ONNX ops of opset 17 are used
/// (LayerNormalization is the newest), so ONNX Runtime's own fusions (attention, GELU,
/// LayerNorm + residual) apply to the segments and the full model alike.
/// </remarks>
internal sealed class EncoderGraph
{
    /// <summary>The opset every exported graph imports: 17 brings LayerNormalization.</summary>
    internal const long Opset = 17;

    private readonly Dictionary<string, float[]> _weights;
    private readonly Dictionary<string, long[]> _shapes;

    internal EncoderGraph(MultiExitEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        Config = encoder.Config;
        RefuseNonBertForward(Config);
        _weights = new(StringComparer.Ordinal);
        _shapes = new(StringComparer.Ordinal);
        // Enumerated before the scope opens: a module may hand out a new wrapper of a native
        // parameter (the embedding tables do), and a scope would dispose the module's wrapper.
        var parameters = encoder.named_parameters().ToList();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, parameter) in parameters)
        {
            // 2-D Linear weights (not the embedding tables) go in [in, out], MatMul's layout.
            bool linear = parameter.dim() == 2 && !name.StartsWith("embeddings.", StringComparison.Ordinal);
            Tensor value = parameter.detach().cpu().to_type(ScalarType.Float32);
            if (linear) value = value.t();
            _weights[name] = value.contiguous().data<float>().ToArray();
            _shapes[name] = value.shape;
        }
    }

    internal EncoderConfig Config { get; }

    /// <summary>
    /// The graphs below are BERT's forward; a model imported from another Hugging Face family
    /// (docs/models.md) computes something else, and exporting it would give wrong outputs silently.
    /// </summary>
    private static void RefuseNonBertForward(EncoderConfig c)
    {
        string? field =
            c.EmbeddingSize is not null ? nameof(c.EmbeddingSize)
            : c.PositionsFromPadding ? nameof(c.PositionsFromPadding)
            : c.SharedLayer ? nameof(c.SharedLayer)
            : c.TypeVocabularySize == 0 ? nameof(c.TypeVocabularySize)
            : c.HiddenActivation != HiddenActivation.Gelu ? nameof(c.HiddenActivation)
            : c.FinalHeadActivation != HeadActivation.Tanh ? nameof(c.FinalHeadActivation)
            : null;
        if (field is not null)
            throw new ArgumentException($"ONNX export writes the BERT forward only; this {c.Architecture} model sets {field}, which it does not compute", "encoder");
    }

    /// <summary>
    /// BertEmbeddings (word + position + token type, LayerNorm) and the attention bias of
    /// <see cref="MultiExitEncoder.AttentionBias"/>, (1 − mask) · float.MinValue as (batch, 1, 1, seq).
    /// </summary>
    /// <returns>The names of (batch, seq, hidden) embeddings and (batch, 1, 1, seq) bias.</returns>
    internal (string Hidden, string Bias) Embeddings(OnnxGraphBuilder g, string ids, string types, string mask, string? hiddenName, string? biasName)
    {
        string word = g.Node("Gather", [Weight(g, "embeddings.word_embeddings.weight"), ids]);          // (batch, seq, hidden)
        // Positions 0..seq−1: seq from the ids' shape; (seq, hidden), broadcast over the batch by the Add.
        string seq = g.Node("Gather", [g.Node("Shape", [ids]), g.Int64s(true, 1)], attributes: Int("axis", 0));
        string positions = g.Node("Range", [g.Int64s(true, 0), seq, g.Int64s(true, 1)]);
        string position = g.Node("Gather", [Weight(g, "embeddings.position_embeddings.weight"), positions]);
        string type = g.Node("Gather", [Weight(g, "embeddings.token_type_embeddings.weight"), types]);
        string sum = g.Node("Add", [g.Node("Add", [word, position]), type]);
        string hidden = LayerNorm(g, sum, "embeddings.LayerNorm", hiddenName);

        string maskFloat = g.Node("Cast", [mask], attributes: Int("to", (long)DataType.Float));
        string inverted = g.Node("Sub", [g.Scalar(1f), maskFloat]);
        string bias = g.Node("Mul", [inverted, g.Scalar(float.MinValue)]);
        bias = g.Node("Unsqueeze", [bias, g.Int64s(false, 1, 2)], biasName); // (batch, seq) → (batch, 1, 1, seq)
        return (hidden, bias);
    }

    /// <summary>BertLayer k: self-attention with the additive bias, residual + LayerNorm, GELU MLP, residual + LayerNorm.</summary>
    internal string Layer(OnnxGraphBuilder g, int k, string hidden, string bias, string? outputName)
    {
        string prefix = $"encoder.layer.{k}.";
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

        // Exact GELU, x · ½ (1 + erf(x / √2)), as BertIntermediate (the pattern ORT fuses into one Gelu kernel).
        string x = Linear(g, attended, prefix + "intermediate.dense");
        string erf = g.Node("Erf", [g.Node("Div", [x, g.Scalar(MathF.Sqrt(2f))])]);
        string gelu = g.Node("Mul", [g.Node("Mul", [x, g.Node("Add", [erf, g.Scalar(1f)])]), g.Scalar(0.5f)]);
        return LayerNorm(g, g.Node("Add", [attended, Linear(g, gelu, prefix + "output.dense")]), prefix + "output.LayerNorm", outputName);
    }

    /// <summary>ExitHead k: pooling (mean over the tokens, or [CLS]), optional dense + tanh, classifier.</summary>
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
        if (Config.HeadDense) pooled = g.Node("Tanh", [Linear(g, pooled, prefix + "dense")]);
        return g.Node("Squeeze", [Linear(g, pooled, prefix + "classifier"), g.Int64s(false, 1)], outputName);
    }

    /// <summary>x · Wᵀ + b with W stored [in, out].</summary>
    private string Linear(OnnxGraphBuilder g, string x, string module, string? outputName = null) =>
        g.Node("Add", [g.Node("MatMul", [x, Weight(g, module + ".weight")]), Weight(g, module + ".bias")], outputName);

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
