using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;

namespace EarlyExit.Data.Scoring;

/// <summary>
/// Formats scored rows as CSV, TSV or JSON Lines, chunk by chunk as UTF-8 bytes, so the caller can
/// append a chunk and commit it (and know its size) before the next. Columns: id, label,
/// probability, exit, compute, then one <c>p_CLASS</c> per class when every probability is kept.
/// </summary>
/// <param name="format">The output format.</param>
/// <param name="classNames">The model's classes, for the <c>p_CLASS</c> columns.</param>
/// <param name="allProbabilities">Whether every class's probability is written.</param>
public sealed class ScoreResultWriter(ScoreFileFormat format, IReadOnlyList<string> classNames, bool allProbabilities)
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The fixed columns, in order.</summary>
    public static IReadOnlyList<string> Columns { get; } = ["id", "label", "probability", "exit", "compute"];

    private IEnumerable<string> Header => allProbabilities ? Columns.Concat(classNames.Select(c => "p_" + c)) : Columns;

    /// <summary>The header line (CSV and TSV), or nothing (JSON Lines).</summary>
    public byte[] FormatHeader()
    {
        if (format == ScoreFileFormat.Jsonl) return [];
        return Delimited(w =>
        {
            foreach (string column in Header) w.WriteField(column);
            w.EndRecord();
        });
    }

    /// <summary>The rows as one chunk of bytes, each row ending in a newline.</summary>
    public byte[] Format(IReadOnlyList<ScoreResult> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return format == ScoreFileFormat.Jsonl ? JsonLines(rows) : Delimited(w =>
        {
            foreach (ScoreResult r in rows)
            {
                foreach (string field in Fields(r)) w.WriteField(field);
                w.EndRecord();
            }
        });
    }

    private IEnumerable<string> Fields(ScoreResult r)
    {
        yield return r.Id;
        yield return r.Label;
        yield return Number(r.Probability);
        yield return r.Exit.ToString(CultureInfo.InvariantCulture);
        yield return Number(r.Compute);
        if (!allProbabilities) yield break;
        foreach (float p in r.Probabilities) yield return Number(p);
    }

    // Round-trip forms: the same run writes the same bytes, and a reader gets the numbers back exactly.
    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    private byte[] Delimited(Action<CsvWriter> write)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var options = new CsvWriterOptions
        {
            Separator = format == ScoreFileFormat.Tsv ? '\t' : ',',
            Mode = format == ScoreFileFormat.Tsv ? CsvMode.NoEscape : CsvMode.Rfc4180,
            NewLine = "\n",
            HasHeader = false,
        };
        using (var writer = CsvWriter.Create(text, options, leaveOpen: true))
        {
            write(writer);
            writer.Flush();
        }
        return Utf8.GetBytes(text.ToString());
    }

    private byte[] JsonLines(IReadOnlyList<ScoreResult> rows)
    {
        using var buffer = new MemoryStream();
        foreach (ScoreResult r in rows)
        {
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                json.WriteStartObject();
                json.WriteString("id", r.Id);
                json.WriteString("label", r.Label);
                json.WriteNumber("probability", r.Probability);
                json.WriteNumber("exit", r.Exit);
                json.WriteNumber("compute", r.Compute);
                if (allProbabilities)
                {
                    json.WriteStartObject("probabilities");
                    for (int c = 0; c < classNames.Count; c++) json.WriteNumber(classNames[c], r.Probabilities[c]);
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            buffer.WriteByte((byte)'\n');
        }
        return buffer.ToArray();
    }
}
