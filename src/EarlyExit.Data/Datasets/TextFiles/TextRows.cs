namespace EarlyExit.Data.Datasets.TextFiles;

/// <summary>The checks every text-file record goes through, whatever its format.</summary>
internal static class TextRows
{
    /// <summary>A row, or an error naming the file, line and field of an empty text or label.</summary>
    internal static TextRow Make(string path, long line, TextColumns columns, string? text, string? pair, string? label)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new DatasetFormatException(path, line, columns.Text, "the text is empty");
        }

        if (string.IsNullOrWhiteSpace(label))
        {
            throw new DatasetFormatException(path, line, columns.Label, "the label is empty");
        }

        return new TextRow(text, string.IsNullOrEmpty(pair) ? null : pair, label.Trim(), line);
    }
}
