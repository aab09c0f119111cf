namespace EarlyExit.Data.Datasets.TextFiles;

/// <summary>The file formats of user-supplied text datasets.</summary>
public enum TextFileFormat
{
    /// <summary>Comma-separated values with a header row, quoted as in RFC 4180 (<c>.csv</c>).</summary>
    Csv,

    /// <summary>Tab-separated values with a header row and no quoting at all: every character but tab and
    /// line breaks is text, so quotes inside a text need no escaping (as in the GLUE files) (<c>.tsv</c>).</summary>
    Tsv,

    /// <summary>JSON Lines: one JSON object per line (<c>.jsonl</c>).</summary>
    JsonLines,
}
