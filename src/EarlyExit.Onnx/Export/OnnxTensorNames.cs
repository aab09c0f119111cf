namespace EarlyExit.Onnx.Export;

/// <summary>
/// Input and output names of the exported graphs. Symbolic dimensions are named <c>batch</c>
/// and <c>sequence</c>; every graph accepts any batch size and any sequence length up to the
/// model's positions.
/// </summary>
public static class OnnxTensorNames
{
    /// <summary>(batch, sequence) int64 word-piece ids: input of the embeddings and of the full model.</summary>
    public const string InputIds = "input_ids";

    /// <summary>(batch, sequence) int64 segment ids (0 for single texts).</summary>
    public const string TokenTypeIds = "token_type_ids";

    /// <summary>(batch, sequence) int64, 1 for tokens and 0 for padding: input of every graph (heads pool over it).</summary>
    public const string AttentionMask = "attention_mask";

    /// <summary>(batch, sequence, hidden) float32 hidden states: output of the embeddings, input of a layer segment.</summary>
    public const string Hidden = "hidden";

    /// <summary>(batch, 1, 1, sequence) float32 additive attention bias, 0 for tokens and float.MinValue for padding:
    /// output of the embeddings (computed once per batch), input of a layer segment.</summary>
    public const string AttentionBias = "attention_bias";

    /// <summary>(batch, sequence, hidden) float32: a layer segment's output hidden states.</summary>
    public const string HiddenOut = "hidden_out";

    /// <summary>(batch, classes) float32 exit logits: output of a layer segment, an exit head and the full model.</summary>
    public const string Logits = "logits";
}
