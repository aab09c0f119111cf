namespace EarlyExit.Cli.Terminal;

/// <summary>A plain-text table with aligned columns, for stdout (no colour, no box drawing: it is data).</summary>
public static class TextTable
{
    /// <summary>Writes a header, a rule and the rows; the first column is left-aligned, the others right-aligned.</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="header">Column titles.</param>
    /// <param name="rows">Cells, one list per row; a short row leaves its last columns empty.</param>
    public static void Write(TextWriter output, IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        int columns = Math.Max(header.Count, rows.Count == 0 ? 0 : rows.Max(r => r.Count));
        var widths = new int[columns];
        for (int c = 0; c < columns; c++)
        {
            widths[c] = Math.Max(c < header.Count ? header[c].Length : 0, rows.Count == 0 ? 0 : rows.Max(r => c < r.Count ? r[c].Length : 0));
        }
        WriteRow(output, header, widths);
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows) WriteRow(output, row, widths);
    }

    private static void WriteRow(TextWriter output, IReadOnlyList<string> cells, int[] widths)
    {
        var parts = new string[widths.Length];
        for (int c = 0; c < widths.Length; c++)
        {
            string cell = c < cells.Count ? cells[c] : "";
            parts[c] = c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]);
        }
        output.WriteLine(string.Join("  ", parts).TrimEnd());
    }
}
