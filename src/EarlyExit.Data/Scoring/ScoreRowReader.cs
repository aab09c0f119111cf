using System.Globalization;
using System.Text.Json;
using CsvHelper;
using EarlyExit.Data.Datasets;
using EarlyExit.Data.Datasets.TextFiles;

namespace EarlyExit.Data.Scoring;

/// <summary>
/// Streams the rows of a CSV, TSV or JSON Lines file for <c>earlyexit score</c>, one at a time, so
/// memory does not grow with the file. A row that cannot be scored (an empty text, a missing
/// column, invalid UTF-8, a JSON line that is not an object) comes back with its problem and line;
/// a file that cannot be read on (bad CSV quoting, no text column in the header) is a
/// <see cref="DatasetFormatException"/> naming the file and line.
/// </summary>
/// <remarks>
/// Invalid UTF-8 is found in the bytes (<see cref="ScanLines"/>, one streaming pass before the
/// rows are read; it keeps only the numbers of the bad lines), since the readers decode it as U+FFFD
/// as .NET does, and real data holds U+FFFD written on purpose (fine-foods does).
/// </remarks>
public static class ScoreRowReader
{
    /// <summary>What one pass over a text file finds: its lines (for a progress bar) and those that are not valid UTF-8.</summary>
    /// <param name="Lines">Lines in the file, a last one without a newline included.</param>
    /// <param name="InvalidUtf8">1-based numbers of the lines holding invalid UTF-8.</param>
    public sealed record LineScan(long Lines, IReadOnlySet<long> InvalidUtf8);

    /// <summary>The rows of <paramref name="path"/>, in file order.</summary>
    /// <param name="path">The input file.</param>
    /// <param name="format">Its format.</param>
    /// <param name="textColumn">The column (field) holding the text.</param>
    /// <param name="idColumn">The column holding each row's id; null = the 1-based row number.</param>
    /// <param name="scan">A text file's <see cref="ScanLines"/>, when the caller made it already; null = scan here (not for Parquet).</param>
    /// <exception cref="DatasetFormatException">The header lacks a column, or the file is malformed where it cannot be read past.</exception>
    public static IEnumerable<ScoreRow> Read(string path, ScoreFileFormat format, string textColumn, string? idColumn, LineScan? scan = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(textColumn);
        return format switch
        {
            ScoreFileFormat.Jsonl => ReadJsonLines(path, textColumn, idColumn, (scan ?? ScanLines(path)).InvalidUtf8),
            ScoreFileFormat.Parquet => ParquetScoreFiles.Read(path, textColumn, idColumn),
            _ => ReadDelimited(path, format, textColumn, idColumn, (scan ?? ScanLines(path)).InvalidUtf8),
        };
    }

    private static IEnumerable<ScoreRow> ReadDelimited(string path, ScoreFileFormat format, string textColumn, string? idColumn, IReadOnlySet<long> invalid)
    {
        // Short rows are allowed here: a missing field is that row's problem, not the file's.
        CsvReaderOptions options = DelimitedTextReader.Options(format == ScoreFileFormat.Tsv, CsvFieldCountHandling.Allow);
        using var reader = CsvReader.FromFile(path, options);
        IReadOnlyList<string> headers = reader.Headers;
        int text = DelimitedTextReader.ColumnIndex(path, headers, textColumn, required: true);
        int id = idColumn is null ? -1 : DelimitedTextReader.ColumnIndex(path, headers, idColumn, required: true);
        long index = 0;
        while (true)
        {
            try
            {
                if (!reader.Read()) yield break;
            }
            catch (CsvFormatException e)
            {
                throw new DatasetFormatException(path, e.LineNumber > 0 ? e.LineNumber : null, null,
                    $"malformed {(format == ScoreFileFormat.Tsv ? "TSV" : "CSV")}: {e.Message}", e);
            }
            long line = reader.LineNumber;
            string rowId = id < 0 ? (index + 1).ToString(CultureInfo.InvariantCulture) : Field(reader, id) ?? "";
            string? value = Field(reader, text);
            string? problem = value is null ? $"no '{textColumn}' field (the row has fewer fields than the header)"
                : id >= 0 && Field(reader, id) is null ? $"no '{idColumn}' field (the row has fewer fields than the header)"
                : invalid.Contains(line) ? InvalidUtf8 : Check(value);
            yield return new ScoreRow(index++, line, rowId, problem is null ? value : null, problem);
        }
    }

    private static IEnumerable<ScoreRow> ReadJsonLines(string path, string textColumn, string? idColumn, IReadOnlySet<long> invalid)
    {
        long line = 0, index = 0;
        foreach (string content in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(content)) continue;
            string fallbackId = (index + 1).ToString(CultureInfo.InvariantCulture);
            string? text = null, id = idColumn is null ? fallbackId : null, problem = null;
            try
            {
                using var document = JsonDocument.Parse(content);
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                    problem = $"expected a JSON object, got {root.ValueKind}";
                else
                {
                    text = root.TryGetProperty(textColumn, out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                    if (idColumn is not null && root.TryGetProperty(idColumn, out var i))
                        id = i.ValueKind == JsonValueKind.String ? i.GetString() : i.ValueKind == JsonValueKind.Number ? i.GetRawText() : null;
                    problem = text is null ? $"no string field '{textColumn}'"
                        : id is null ? $"no string or number field '{idColumn}'"
                        : invalid.Contains(line) ? InvalidUtf8 : Check(text);
                }
            }
            catch (JsonException e)
            {
                problem = $"not valid JSON: {e.Message}";
            }
            yield return new ScoreRow(index++, line, id ?? fallbackId, problem is null ? text : null, problem);
        }
    }

    private const string InvalidUtf8 = "invalid UTF-8";

    /// <summary>Why a text cannot be scored, or null.</summary>
    internal static string? Check(string text) => text.Length == 0 ? "empty text" : null;

    /// <summary>One streaming pass over a text file: its line count and the lines that are not valid UTF-8.</summary>
    /// <param name="path">A CSV, TSV or JSON Lines file.</param>
    public static LineScan ScanLines(string path)
    {
        var (invalid, lines) = Utf8Check.Scan(path);
        return new LineScan(lines, invalid.ToHashSet());
    }

    private static string? Field(CsvReader reader, int index) => index < reader.FieldCount ? reader.GetString(index) : null;
}
