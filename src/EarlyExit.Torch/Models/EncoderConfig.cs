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

    /// <summary>Number of token types (segments A and B of a sentence pair). Default 2 (BERT).</summary>
    public int TypeVocabularySize { get; init; } = 2;

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
        Positive(TypeVocabularySize, nameof(TypeVocabularySize));
        if (HiddenSize % HeadCount != 0)
            throw new ArgumentOutOfRangeException(nameof(HiddenSize), HiddenSize,
                $"HiddenSize must be a multiple of HeadCount ({HeadCount}); got {HiddenSize}");
        if (!(LayerNormEpsilon > 0) || !double.IsFinite(LayerNormEpsilon))
            throw new ArgumentOutOfRangeException(nameof(LayerNormEpsilon), LayerNormEpsilon,
                $"LayerNormEpsilon must be positive and finite; got {LayerNormEpsilon}");
        Probability(HiddenDropout, nameof(HiddenDropout));
        Probability(AttentionDropout, nameof(AttentionDropout));
        if (!Enum.IsDefined(Pooling))
            throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling,
                $"Pooling must be one of {string.Join(", ", Enum.GetNames<ExitPooling>())}; got {Pooling}");
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
