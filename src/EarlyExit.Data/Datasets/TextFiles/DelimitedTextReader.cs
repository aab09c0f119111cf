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
        CsvReaderOptions options = Options(format == TextFileFormat.Tsv, CsvFieldCountHandling.Throw);

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

    /// <summary>How every CSV and TSV file is read: a header, RFC 4180 quoting (TSV: none), blank lines skipped, line numbers kept.</summary>
    /// <param name="tsv">Tab-separated rather than comma-separated.</param>
    /// <param name="fieldCount">What a row with another field count than the header does.</param>
    internal static CsvReaderOptions Options(bool tsv, CsvFieldCountHandling fieldCount) => new()
    {
        Separator = tsv ? '\t' : ',',
        Mode = tsv ? CsvMode.NoEscape : CsvMode.Rfc4180,
        HasHeader = true,
        TrimWhitespace = false,
        SkipEmptyLines = true,
        MalformedData = CsvMalformedDataHandling.Throw,
        FieldCountMismatch = fieldCount,
        TrackLineNumbers = true,
    };

    /// <summary>The index of column <paramref name="name"/>; −1 when absent and not required.</summary>
    /// <exception cref="DatasetFormatException">A required column is absent; the message lists the header.</exception>
    internal static int ColumnIndex(string path, IReadOnlyList<string> headers, string name, bool required)
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
