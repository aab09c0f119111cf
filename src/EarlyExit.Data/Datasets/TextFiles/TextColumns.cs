namespace EarlyExit.Data.Datasets.TextFiles;

/// <summary>Which columns (CSV/TSV header names, or JSON Lines field names) hold the text, the optional pair and the label.</summary>
public sealed record TextColumns
{
    /// <summary>The default name of the text column.</summary>
    public const string DefaultText = "text";

    /// <summary>The default name of the optional second-text column.</summary>
    public const string DefaultTextPair = "text_pair";

    /// <summary>The default name of the label column.</summary>
    public const string DefaultLabel = "label";

    /// <summary>Column of the text (for pairs, the first text). Default "text"; required.</summary>
    public string Text { get; init; } = DefaultText;

    /// <summary>
    /// Column of the second text of a sentence pair. Default "text_pair", which may be absent (then every
    /// example is a single text); a name other than the default must exist. An empty value means no pair.
    /// </summary>
    public string TextPair { get; init; } = DefaultTextPair;

    /// <summary>Column of the label (any string, or a JSON number). Default "label"; required.</summary>
    public string Label { get; init; } = DefaultLabel;

    /// <summary>Throws when a name is empty or two names are the same.</summary>
    /// <exception cref="ArgumentException">A name is empty or repeated.</exception>
    public void Validate()
    {
        foreach (var (name, value) in new[] { (nameof(Text), Text), (nameof(TextPair), TextPair), (nameof(Label), Label) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException($"the {name} column name must not be empty; got '{value}'", name);
            }
        }

        if (Text == Label || Text == TextPair || TextPair == Label)
        {
            throw new ArgumentException($"column names must differ; got text '{Text}', text_pair '{TextPair}', label '{Label}'");
        }
    }
}
