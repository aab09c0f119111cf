using System.Globalization;
using System.Text.Json;

namespace EarlyExit.Data.Datasets.TextFiles;

/// <summary>Reads the text, pair and label fields of a JSON Lines file with System.Text.Json.</summary>
internal static class JsonLinesTextReader
{
    /// <summary>The rows of <paramref name="path"/>; blank lines are skipped.</summary>
    /// <exception cref="DatasetFormatException">A line is not a JSON object, a field is missing or of the wrong type,
    /// or a text or label is empty; the message names the file, line and field.</exception>
    internal static List<TextRow> Read(string path, TextColumns columns)
    {
        var rows = new List<TextRow>();
        long line = 0;
        foreach (var content in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(content))
            {
                continue;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(content);
            }
            catch (JsonException e)
            {
                throw new DatasetFormatException(path, line, null, $"not valid JSON: {e.Message}", e);
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw new DatasetFormatException(path, line, null, $"expected a JSON object, got {root.ValueKind}");
                }

                var text = String(path, line, root, columns.Text, required: true);
                var pair = String(path, line, root, columns.TextPair, required: false);
                var label = Label(path, line, root, columns.Label);
                rows.Add(TextRows.Make(path, line, columns, text, pair, label));
            }
        }

        return rows;
    }

    private static string? String(string path, long line, JsonElement root, string field, bool required)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return required ? throw new DatasetFormatException(path, line, field, "missing") : null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new DatasetFormatException(path, line, field, $"must be a string, got {value.ValueKind}");
    }

    // Labels may be strings ("pos") or numbers (1). A number becomes its shortest round-trip
    // invariant form, so 1, 1.0 and 1e0 are one class "1" and 0.50 is "0.5" (as written they were
    // different classes); a string is kept as written.
    private static string Label(string path, long line, JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw new DatasetFormatException(path, line, field, "missing");
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number => NumberLabel(value),
            JsonValueKind.True or JsonValueKind.False => value.GetBoolean().ToString(CultureInfo.InvariantCulture).ToLowerInvariant(),
            _ => throw new DatasetFormatException(path, line, field, $"must be a string or a number, got {value.ValueKind}"),
        };
    }

    // Integers exactly (beyond 2^53 too); anything else through double's shortest round-trip form.
    private static string NumberLabel(JsonElement value)
    {
        if (value.TryGetInt64(out var integer)) return integer.ToString(CultureInfo.InvariantCulture);
        var number = value.GetDouble();
        return number == Math.Floor(number) && Math.Abs(number) < 1e15
            ? ((long)number).ToString(CultureInfo.InvariantCulture)
            : number.ToString("R", CultureInfo.InvariantCulture);
    }
}
