namespace EarlyExit.Data.Tokenization;

/// <summary>
/// How <see cref="TextTokenizer"/> turns text into model inputs. A plain immutable record: every
/// property has a documented default, and <see cref="TextTokenizer.Create(System.IO.Stream, TokenizerOptions?)"/>
/// validates it once (it never changes the caller's instance).
/// </summary>
public sealed record TokenizerOptions
{
    /// <summary>The smallest allowed <see cref="MaxLength"/>: a sentence pair needs [CLS], [SEP], [SEP].</summary>
    public const int MinMaxLength = 3;

    /// <summary>
    /// The most tokens in one row, special tokens ([CLS], [SEP]) included. Default 128, the length
    /// the project's reference points were measured with (issue 4, "Evidence"); MiniLM's position
    /// embeddings allow up to 512. Longer inputs are truncated (see <see cref="TextTokenizer"/>).
    /// </summary>
    public int MaxLength { get; init; } = 128;

    /// <summary>
    /// Lower-case the text before word-piece splitting. Default <see langword="true"/>: the vocabulary of
    /// all-MiniLM-L6-v2 is uncased (it has "hello" but not "Hello").
    /// </summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>
    /// Remove accents (Unicode non-spacing marks after decomposition), so "café" becomes "cafe".
    /// Default <see langword="true"/>, which is what BERT's uncased tokenizer does when it lower-cases
    /// (HuggingFace's <c>strip_accents=None</c> follows <c>do_lower_case</c>).
    /// </summary>
    public bool StripAccents { get; init; } = true;

    /// <summary>
    /// Pad every batch to <see cref="MaxLength"/> instead of to its longest row. Default
    /// <see langword="false"/>: padding to the longest row wastes no compute on a batch of short
    /// texts. A fixed length is useful when shapes must not change (e.g. exported graphs, benchmarks).
    /// </summary>
    public bool PadToMaxLength { get; init; }

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="MaxLength"/> is below <see cref="MinMaxLength"/>.</exception>
    public void Validate()
    {
        if (MaxLength < MinMaxLength)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxLength),
                MaxLength,
                $"MaxLength must be at least {MinMaxLength} (room for [CLS] a [SEP] b [SEP]); got {MaxLength}");
        }
    }
}
