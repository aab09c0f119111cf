using System.Text.Json.Serialization;

namespace EarlyExit.Torch.Models;

/// <summary>
/// Sizes of a BERT-style multi-exit encoder: the backbone (embeddings and
/// <see cref="LayerCount"/> post-LayerNorm transformer layers) and the exit head after every layer.
/// </summary>
/// <remarks>
/// The defaults not marked required are BERT's (Devlin et al. 2019) and hold for
/// all-MiniLM-L6-v2 too; <see cref="AllMiniLmL6V2"/> gives that model's sizes.
/// Call <see cref="Validate"/> (the model's constructor does) before use.
/// </remarks>
public sealed record EncoderConfig
{
    /// <summary>Number of word-piece ids; word embedding rows.</summary>
    public required int VocabularySize { get; init; }

    /// <summary>Width of every token state; divisible by <see cref="HeadCount"/>.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>M, the number of transformer layers and so of exits (one head per layer).</summary>
    public required int LayerCount { get; init; }

    /// <summary>Attention heads per layer.</summary>
    public required int HeadCount { get; init; }

    /// <summary>Width of the feed-forward block's inner layer (BERT: 4 × hidden).</summary>
    public required int IntermediateSize { get; init; }

    /// <summary>Number of classes every exit head predicts.</summary>
    public required int ClassCount { get; init; }

    /// <summary>Longest input in tokens; position embedding rows. Default 512 (BERT).</summary>
    public int MaxPositions { get; init; } = 512;

    /// <summary>
    /// Number of token types (segments A and B of a sentence pair). Default 2 (BERT); 0 means the
    /// model has no token-type embeddings (DistilBERT) and segment ids are ignored.
    /// </summary>
    public int TypeVocabularySize { get; init; } = 2;

    /// <summary>
    /// Which Hugging Face family the weights belong to; decides only the key names of a Hugging Face
    /// export (see <see cref="EncoderArchitecture"/>). Default <see cref="EncoderArchitecture.Bert"/>.
    /// </summary>
    public EncoderArchitecture Architecture { get; init; } = EncoderArchitecture.Bert;

    /// <summary>
    /// Width of the embeddings when it differs from <see cref="HiddenSize"/> (ELECTRA's and ALBERT's
    /// factorised embeddings): the embedding LayerNorm works at this width and a linear projection
    /// (key <c>embeddings.projection</c>) maps it to the hidden size. Null (the default) means no
    /// projection: embeddings are <see cref="HiddenSize"/> wide.
    /// </summary>
    public int? EmbeddingSize { get; init; }

    /// <summary>The feed-forward activation. Default <see cref="Models.HiddenActivation.Gelu"/> (exact, BERT's).</summary>
    public HiddenActivation HiddenActivation { get; init; } = HiddenActivation.Gelu;

    /// <summary>The padding token's id: where <see cref="PositionsFromPadding"/> starts counting. Default 0.</summary>
    public int PaddingId { get; init; }

    /// <summary>
    /// Whether position ids are counted over non-padding tokens and offset by <see cref="PaddingId"/>,
    /// as RoBERTa's <c>create_position_ids_from_input_ids</c>: cumsum(ids ≠ pad)·(ids ≠ pad) + pad, so
    /// padding sits at position <see cref="PaddingId"/> and the first token at <see cref="PaddingId"/> + 1.
    /// Default false: positions 0…seq−1 (BERT).
    /// </summary>
    public bool PositionsFromPadding { get; init; }

    /// <summary>
    /// Whether one layer's weights are applied <see cref="LayerCount"/> times (ALBERT's cross-layer
    /// sharing), an exit after each application; the state dict then holds <c>encoder.layer.0</c> only.
    /// Default false.
    /// </summary>
    public bool SharedLayer { get; init; }

    /// <summary>
    /// The activation of the final exit's head (exit <see cref="LayerCount"/> − 1) between its dense
    /// layer and classifier, so an imported <c>*ForSequenceClassification</c> head computes what it did:
    /// tanh (BERT, ALBERT, RoBERTa), GELU (ELECTRA), ReLU (DistilBERT). Internal exits always use tanh.
    /// Default <see cref="HeadActivation.Tanh"/>.
    /// </summary>
    public HeadActivation FinalHeadActivation { get; init; } = HeadActivation.Tanh;

    /// <summary>
    /// ε of every LayerNorm. Default 1e-12, BERT's: far below float32's resolution of a unit
    /// variance, so in practice only the variance counts; kept so imported weights reproduce
    /// the original outputs exactly.
    /// </summary>
    public double LayerNormEpsilon { get; init; } = 1e-12;

    /// <summary>Dropout on embeddings, sublayer outputs and heads while training. Default 0.1 (BERT).</summary>
    public double HiddenDropout { get; init; } = 0.1;

    /// <summary>Dropout on attention probabilities while training. Default 0.1 (BERT).</summary>
    public double AttentionDropout { get; init; } = 0.1;

    /// <summary>
    /// How the final exit's head pools token states when it differs from the internal exits'
    /// (<see cref="Pooling"/>): an imported <c>*ForSequenceClassification</c> head reads [CLS], while
    /// the internal exits added to it may pool the mean, which early layers need (their [CLS] state
    /// carries little of the sentence yet). Null (the default): the final exit pools as the others.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ExitPooling? FinalExitPooling { get; init; }

    /// <summary>The pooling of exit <paramref name="exit"/>: <see cref="FinalExitPooling"/> for the last, when set, else <see cref="Pooling"/>.</summary>
    /// <param name="exit">0-based exit.</param>
    public ExitPooling PoolingOf(int exit) => exit == LayerCount - 1 && FinalExitPooling is { } final ? final : Pooling;

    /// <summary>How each exit head pools token states. Default <see cref="ExitPooling.Cls"/>.</summary>
    public ExitPooling Pooling { get; init; } = ExitPooling.Cls;

    /// <summary>
    /// Whether each exit head applies a hidden × hidden dense layer and tanh before its
    /// classifier, like BERT's pooler (our choice of default: true, the head DeeBERT and PABEE
    /// use); false gives a single linear classifier.
    /// </summary>
    public bool HeadDense { get; init; } = true;

    /// <summary>Width of one attention head: <see cref="HiddenSize"/> / <see cref="HeadCount"/>.</summary>
    [JsonIgnore]
    public int HeadSize => HiddenSize / HeadCount;

    /// <summary>
    /// The sizes of sentence-transformers/all-MiniLM-L6-v2: 6 layers, hidden 384, 12 heads,
    /// feed-forward 1536, vocabulary 30522, 512 positions, 2 token types, ε 1e-12, mean pooling.
    /// </summary>
    /// <param name="classCount">Classes of the exit heads (the heads are new; MiniLM has none).</param>
    public static EncoderConfig AllMiniLmL6V2(int classCount) => new()
    {
        VocabularySize = 30522,
        HiddenSize = 384,
        LayerCount = 6,
        HeadCount = 12,
        IntermediateSize = 1536,
        ClassCount = classCount,
        Pooling = ExitPooling.Mean,
    };

    /// <summary>Checks every size.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, a dropout is outside
    /// [0, 1), ε is not positive, or the hidden size is not a multiple of the head count; the
    /// message names the property and its value.</exception>
    public void Validate()
    {
        Positive(VocabularySize, nameof(VocabularySize));
        Positive(HiddenSize, nameof(HiddenSize));
        Positive(LayerCount, nameof(LayerCount));
        Positive(HeadCount, nameof(HeadCount));
        Positive(IntermediateSize, nameof(IntermediateSize));
        Positive(ClassCount, nameof(ClassCount));
        Positive(MaxPositions, nameof(MaxPositions));
        if (TypeVocabularySize < 0)
            throw new ArgumentOutOfRangeException(nameof(TypeVocabularySize), TypeVocabularySize,
                $"TypeVocabularySize must be 0 (no token types) or more; got {TypeVocabularySize}");
        if (EmbeddingSize is int e) Positive(e, nameof(EmbeddingSize));
        if (PaddingId < 0 || PaddingId >= VocabularySize)
            throw new ArgumentOutOfRangeException(nameof(PaddingId), PaddingId,
                $"PaddingId must be a token id in [0, {VocabularySize}); got {PaddingId}");
        if (PositionsFromPadding && PaddingId + 1 >= MaxPositions)
            throw new ArgumentOutOfRangeException(nameof(MaxPositions), MaxPositions,
                $"MaxPositions must exceed PaddingId + 1 ({PaddingId + 1}) when positions count from the padding id; got {MaxPositions}");
        Defined(Architecture, nameof(Architecture));
        Defined(HiddenActivation, nameof(HiddenActivation));
        Defined(FinalHeadActivation, nameof(FinalHeadActivation));
        if (HiddenSize % HeadCount != 0)
            throw new ArgumentOutOfRangeException(nameof(HiddenSize), HiddenSize,
                $"HiddenSize must be a multiple of HeadCount ({HeadCount}); got {HiddenSize}");
        if (!(LayerNormEpsilon > 0) || !double.IsFinite(LayerNormEpsilon))
            throw new ArgumentOutOfRangeException(nameof(LayerNormEpsilon), LayerNormEpsilon,
                $"LayerNormEpsilon must be positive and finite; got {LayerNormEpsilon}");
        Probability(HiddenDropout, nameof(HiddenDropout));
        Probability(AttentionDropout, nameof(AttentionDropout));
        if (FinalExitPooling is { } finalPooling && !Enum.IsDefined(finalPooling))
            throw new ArgumentOutOfRangeException(nameof(FinalExitPooling), finalPooling,
                $"FinalExitPooling must be one of {string.Join(", ", Enum.GetNames<ExitPooling>())}; got {finalPooling}");
        if (!Enum.IsDefined(Pooling))
            throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling,
                $"Pooling must be one of {string.Join(", ", Enum.GetNames<ExitPooling>())}; got {Pooling}");
    }

    /// <summary>
    /// The longest input in tokens: <see cref="MaxPositions"/>, less the <see cref="PaddingId"/> + 1
    /// rows RoBERTa's position scheme never gives a real token.
    /// </summary>
    [JsonIgnore]
    public int MaxSequenceLength => PositionsFromPadding ? MaxPositions - PaddingId - 1 : MaxPositions;

    private static void Defined<T>(T value, string name) where T : struct, Enum
    {
        if (!Enum.IsDefined(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be one of {string.Join(", ", Enum.GetNames<T>())}; got {value}");
    }

    private static void Positive(int value, string name)
    {
        if (value < 1)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1; got {value}");
    }

    private static void Probability(double value, string name)
    {
        if (!(value >= 0 && value < 1))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1); got {value}");
    }
}
