using CsvHelper;

namespace EarlyExit.Data.Datasets.TextFiles;

/// <summary>Reads the text, pair and label columns of a CSV or TSV file with CsvHelper.</summary>
internal static class DelimitedTextReader
{
    /// <summary>The rows of <paramref name="path"/>.</summary>
    /// <exception cref="DatasetFormatException">A column is missing, a record is malformed (bad quoting, wrong field
    /// count), or a text or label is empty; the message names the file, line and field.</exception>
    internal static List<TextRow> Read(string path, TextFileFormat format, TextColumns columns)
    {
        var options = new CsvReaderOptions
        {
            Separator = format == TextFileFormat.Tsv ? '\t' : ',',
            Mode = format == TextFileFormat.Tsv ? CsvMode.NoEscape : CsvMode.Rfc4180,
            HasHeader = true,
            TrimWhitespace = false,
            SkipEmptyLines = true,
            MalformedData = CsvMalformedDataHandling.Throw,
            FieldCountMismatch = CsvFieldCountHandling.Throw,
            TrackLineNumbers = true,
        };

        var rows = new List<TextRow>();
        try
        {
            using var reader = CsvReader.FromFile(path, options);
            var headers = reader.Headers;
            var text = ColumnIndex(path, headers, columns.Text, required: true);
            var label = ColumnIndex(path, headers, columns.Label, required: true);
            var pair = ColumnIndex(path, headers, columns.TextPair, required: columns.TextPair != TextColumns.DefaultTextPair);
            while (reader.Read())
            {
                var line = reader.LineNumber;
                var textValue = reader.GetString(text);
                var labelValue = reader.GetString(label);
                var pairValue = pair < 0 ? null : reader.GetString(pair);
                rows.Add(TextRows.Make(path, line, columns, textValue, pairValue, labelValue));
            }
        }
        catch (CsvFormatException e)
        {
            throw new DatasetFormatException(
                path, e.LineNumber > 0 ? e.LineNumber : null, null, $"malformed {(format == TextFileFormat.Tsv ? "TSV" : "CSV")}: {e.Message}", e);
        }

        return rows;
    }

    private static int ColumnIndex(string path, IReadOnlyList<string> headers, string name, bool required)
    {
        for (var i = 0; i < headers.Count; i++)
        {
            if (headers[i] == name)
            {
                return i;
            }
        }

        return required
            ? throw new DatasetFormatException(path, 1, name, $"no such column; the header has: {string.Join(", ", headers)}")
            : -1;
    }
}
