using System.Text;

namespace EarlyExit.Data.Datasets;

/// <summary>Keys under which texts count as "the same" for de-duplication and for keeping copies on one side of a split.</summary>
internal static class TextKey
{
    /// <summary>
    /// The text with every run of white space made one space and the ends trimmed: two texts that
    /// differ only in spacing or line breaks give the same tokens, so they are duplicates to a model.
    /// </summary>
    internal static string CollapseWhitespace(string text)
    {
        var builder = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>The split-grouping key of an example: its text and pair, white space collapsed.</summary>
    internal static string Of(TextExample example) =>
        example.TextPair is null
            ? CollapseWhitespace(example.Text)
            : CollapseWhitespace(example.Text) + "\u0000" + CollapseWhitespace(example.TextPair);
}
