namespace EarlyExit.Data.Scoring;

/// <summary>The file formats <c>earlyexit score</c> reads and writes.</summary>
public enum ScoreFileFormat
{
    /// <summary>Comma-separated, RFC 4180 quoting, a header row.</summary>
    Csv,

    /// <summary>Tab-separated, no quoting, a header row.</summary>
    Tsv,

    /// <summary>One JSON object per line.</summary>
    Jsonl,

    /// <summary>Apache Parquet (Parquet.Net), read and written a row group at a time.</summary>
    Parquet,
}

/// <summary>Names and extensions of <see cref="ScoreFileFormat"/>.</summary>
public static class ScoreFileFormats
{
    /// <summary>Every format's name: csv, tsv, jsonl.</summary>
    public static IReadOnlyList<string> Names { get; } = ["csv", "tsv", "jsonl", "parquet"];

    /// <summary>The format a name (any case) or, when <paramref name="name"/> is null, a path's extension names.</summary>
    /// <exception cref="ArgumentException">An unknown name or extension; the message lists the known ones.</exception>
    public static ScoreFileFormat Resolve(string? name, string path)
    {
        string key = (name ?? Path.GetExtension(path).TrimStart('.')).ToLowerInvariant();
        return key switch
        {
            "csv" => ScoreFileFormat.Csv,
            "tsv" or "tab" => ScoreFileFormat.Tsv,
            "jsonl" or "ndjson" => ScoreFileFormat.Jsonl,
            "parquet" => ScoreFileFormat.Parquet,
            _ => throw new ArgumentException(name is null
                ? $"cannot tell the format of {path} from its extension; name it ({string.Join(", ", Names)})"
                : $"unknown format '{name}'; known: {string.Join(", ", Names)}"),
        };
    }
}
