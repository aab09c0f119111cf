namespace EarlyExit.Data.Datasets;

/// <summary>One labelled text: a single text or a sentence pair, and its class.</summary>
public sealed record TextExample : ILabelledExample
{
    /// <summary>Creates an example.</summary>
    /// <param name="text">The text (for a pair, the first segment).</param>
    /// <param name="textPair">The second segment of a sentence pair; <see langword="null"/> for a single text.</param>
    /// <param name="label">0-based class index.</param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="label"/> is negative.</exception>
    public TextExample(string text, string? textPair, int label)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(label);
        Text = text;
        TextPair = textPair;
        Label = label;
    }

    /// <summary>The text (for a pair, the first segment).</summary>
    public string Text { get; }

    /// <summary>The second segment of a sentence pair; <see langword="null"/> for a single text.</summary>
    public string? TextPair { get; }

    /// <inheritdoc />
    public int Label { get; }
}
