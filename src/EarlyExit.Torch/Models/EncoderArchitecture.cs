namespace EarlyExit.Torch.Models;

/// <summary>
/// The Hugging Face family whose forward pass an <see cref="EncoderConfig"/> reproduces. It only
/// says where weights came from and which key names they are written back with; the computation is
/// set by the other fields (<see cref="EncoderConfig.PositionsFromPadding"/>,
/// <see cref="EncoderConfig.EmbeddingSize"/>, <see cref="EncoderConfig.SharedLayer"/>, …), so the
/// one <see cref="MultiExitEncoder"/> runs them all (docs/models.md).
/// </summary>
public enum EncoderArchitecture
{
    /// <summary>BERT and MiniLM (<c>model_type</c> bert); today's model.</summary>
    Bert,

    /// <summary>DistilBERT: no token-type embeddings, its own layer key names.</summary>
    DistilBert,

    /// <summary>RoBERTa: position ids counted from the padding id.</summary>
    Roberta,

    /// <summary>XLM-RoBERTa: RoBERTa's forward with its own <c>model_type</c>.</summary>
    XlmRoberta,

    /// <summary>ELECTRA discriminator: optionally factorised embeddings, a GELU classification head.</summary>
    Electra,

    /// <summary>ALBERT: factorised embeddings and one layer's weights applied at every depth.</summary>
    Albert,
}

/// <summary>The activation inside every feed-forward block (Hugging Face's <c>hidden_act</c>).</summary>
public enum HiddenActivation
{
    /// <summary>The exact GELU, x·Φ(x) with erf (HF "gelu"); BERT's.</summary>
    Gelu,

    /// <summary>
    /// The tanh approximation 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))): HF's "gelu_new",
    /// "gelu_pytorch_tanh" and "gelu_fast" are all this formula (written differently); ALBERT's default.
    /// </summary>
    GeluTanh,

    /// <summary>max(0, x) (HF "relu").</summary>
    Relu,

    /// <summary>x·σ(x) (HF "silu" / "swish").</summary>
    Silu,
}

/// <summary>The nonlinearity between a head's dense layer and its classifier.</summary>
public enum HeadActivation
{
    /// <summary>tanh: BERT's and ALBERT's pooler, RoBERTa's <c>classifier.dense</c>; every internal exit.</summary>
    Tanh,

    /// <summary>The exact GELU: ELECTRA's classification head.</summary>
    Gelu,

    /// <summary>ReLU: DistilBERT's <c>pre_classifier</c>.</summary>
    Relu,
}
