using System.Globalization;
using EarlyExit.Data.Datasets;
using Parquet;
using Parquet.Schema;

namespace EarlyExit.Data.Scoring;

/// <summary>
/// Parquet input and output of <c>earlyexit score</c> through Parquet.Net (fully managed). Input is
/// read one row group at a time, so memory follows the row group, not the file. Output is
/// written as one part file per committed window (a Parquet footer cannot be appended to safely:
/// a kill mid-append destroys the old one), merged into the output file, row group by row group,
/// when the run ends.
/// </summary>
public static class ParquetScoreFiles
{
    /// <summary>The rows of a Parquet file. A row's <see cref="ScoreRow.Line"/> is its 1-based row number (Parquet has no lines).</summary>
    /// <exception cref="DatasetFormatException">Not a Parquet file, or the text or id column is missing or of another type.</exception>
    public static IEnumerable<ScoreRow> Read(string path, string textColumn, string? idColumn)
    {
        ParquetReader reader;
        try
        {
            reader = ParquetReader.CreateAsync(path).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or Parquet.ParquetException)
        {
            throw new DatasetFormatException(path, null, null, $"not a Parquet file: {e.Message}", e);
        }
        using (new Closing(reader))
        {
            DataField text = Field(path, reader, textColumn);
            DataField? id = idColumn is null ? null : Field(path, reader, idColumn);
            long index = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using ParquetRowGroupReader group = reader.OpenRowGroupReader(g);
                int count = checked((int)group.RowCount);
                string?[] texts = Strings(group, text, count);
                string?[]? ids = id is null ? null : Strings(group, id, count);
                for (int r = 0; r < count; r++)
                {
                    string rowId = ids is null ? (index + 1).ToString(CultureInfo.InvariantCulture) : ids[r] ?? "";
                    string? problem = texts[r] is null ? $"'{textColumn}' is null"
                        : ids is not null && ids[r] is null ? $"'{idColumn}' is null"
                        : ScoreRowReader.Check(texts[r]!);
                    yield return new ScoreRow(index, index + 1, rowId, problem is null ? texts[r] : null, problem);
                    index++;
                }
            }
        }
    }

    /// <summary>The output schema: id, label (strings), probability, compute (doubles), exit (int), then p_CLASS floats.</summary>
    public static ParquetSchema Schema(IReadOnlyList<string> classNames, bool allProbabilities) => new(
        [
            new DataField<string>("id"), new DataField<string>("label"), new DataField<double>("probability"),
            new DataField<int>("exit"), new DataField<double>("compute"),
            .. allProbabilities ? classNames.Select(c => (Field)new DataField<float>("p_" + c)) : [],
        ]);

    /// <summary>Writes <paramref name="rows"/> as one row group of a new file at <paramref name="stream"/>.</summary>
    public static void WritePart(Stream stream, ParquetSchema schema, IReadOnlyList<ScoreResult> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ParquetWriter writer = ParquetWriter.CreateAsync(schema, stream).GetAwaiter().GetResult();
        using var closing = new Closing(writer);
        using ParquetRowGroupWriter group = writer.CreateRowGroup();
        DataField[] f = schema.DataFields;
        group.WriteAsync(f[0], rows.Select(r => r.Id).ToArray()).GetAwaiter().GetResult();
        group.WriteAsync(f[1], rows.Select(r => r.Label).ToArray()).GetAwaiter().GetResult();
        group.WriteAsync<double>(f[2], rows.Select(r => r.Probability).ToArray()).GetAwaiter().GetResult();
        group.WriteAsync<int>(f[3], rows.Select(r => r.Exit).ToArray()).GetAwaiter().GetResult();
        group.WriteAsync<double>(f[4], rows.Select(r => r.Compute).ToArray()).GetAwaiter().GetResult();
        for (int c = 5; c < f.Length; c++)
            group.WriteAsync<float>(f[c], rows.Select(r => r.Probabilities[c - 5]).ToArray()).GetAwaiter().GetResult();
    }

    /// <summary>Copies the one row group of each part, in order, into one file at <paramref name="stream"/>.</summary>
    public static void Merge(Stream stream, ParquetSchema schema, IEnumerable<string> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ParquetWriter writer = ParquetWriter.CreateAsync(schema, stream).GetAwaiter().GetResult();
        using var closing = new Closing(writer);
        DataField[] fields = schema.DataFields;
        foreach (string part in parts)
        {
            ParquetReader reader = ParquetReader.CreateAsync(part).GetAwaiter().GetResult();
            using var closingReader = new Closing(reader);
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using ParquetRowGroupReader source = reader.OpenRowGroupReader(g);
                int count = checked((int)source.RowCount);
                using ParquetRowGroupWriter target = writer.CreateRowGroup();
                target.WriteAsync(fields[0], Strings(source, fields[0], count)).GetAwaiter().GetResult();
                target.WriteAsync(fields[1], Strings(source, fields[1], count)).GetAwaiter().GetResult();
                Copy<double>(source, target, fields[2], count);
                Copy<int>(source, target, fields[3], count);
                Copy<double>(source, target, fields[4], count);
                for (int c = 5; c < fields.Length; c++) Copy<float>(source, target, fields[c], count);
            }
        }
    }

    private static void Copy<T>(ParquetRowGroupReader source, ParquetRowGroupWriter target, DataField field, int count) where T : struct
    {
        var values = new T[count];
        source.ReadAsync<T>(field, values.AsMemory(), null).GetAwaiter().GetResult();
        target.WriteAsync<T>(field, values.AsMemory()).GetAwaiter().GetResult();
    }

    private static string?[] Strings(ParquetRowGroupReader group, DataField field, int count)
    {
        var values = new string?[count];
        group.ReadAsync(field, values.AsMemory(), null).GetAwaiter().GetResult();
        return values;
    }

    /// <summary>Parquet.Net's readers and writers dispose asynchronously only; the CLI's loop is synchronous.</summary>
    private sealed class Closing(IAsyncDisposable target) : IDisposable
    {
        public void Dispose() => target.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    // The text and the id are string columns.
    private static DataField Field(string path, ParquetReader reader, string name)
    {
        DataField? field = reader.Schema.DataFields.FirstOrDefault(f => f.Name == name);
        if (field is null)
            throw new DatasetFormatException(path, null, name, $"no such column; the file has: {string.Join(", ", reader.Schema.DataFields.Select(f => f.Name))}");
        if (field.ClrType != typeof(string) && field.ClrType != typeof(ReadOnlyMemory<char>))
            throw new DatasetFormatException(path, null, name, $"must be a string column; it holds {field.ClrType.Name}");
        return field;
    }
}
