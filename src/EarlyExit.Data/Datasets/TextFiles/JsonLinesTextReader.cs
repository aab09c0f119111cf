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

    // Labels may be strings ("pos") or numbers (1); a number is kept as written.
    private static string Label(string path, long line, JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw new DatasetFormatException(path, line, field, "missing");
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True or JsonValueKind.False => value.GetBoolean().ToString(CultureInfo.InvariantCulture).ToLowerInvariant(),
            _ => throw new DatasetFormatException(path, line, field, $"must be a string or a number, got {value.ValueKind}"),
        };
    }
}
