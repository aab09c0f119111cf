using System.Text.Unicode;

namespace EarlyExit.Data.Datasets.TextFiles;

/// <summary>
/// Finds the lines of a text file that are not valid UTF-8. The readers decode such bytes as
/// U+FFFD, as .NET does; this says which rows that happened to, so it is never silent.
/// </summary>
internal static class Utf8Check
{
    /// <summary>The 1-based numbers of the lines of <paramref name="path"/> holding invalid UTF-8, in order.</summary>
    internal static List<long> InvalidLines(string path) => Scan(path).Invalid;

    /// <summary>
    /// One streaming pass over <paramref name="path"/> (a MiB at a time, so a file of any size): the
    /// 1-based numbers of its lines holding invalid UTF-8, in order, and how many lines it has (a last
    /// line without a newline counts).
    /// </summary>
    internal static (List<long> Invalid, long Lines) Scan(string path)
    {
        var invalid = new List<long>();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        byte[] buffer = new byte[1 << 20];
        var carry = new List<byte>(); // the part of a line that crossed a buffer's end
        long line = 1;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            ReadOnlySpan<byte> rest = buffer.AsSpan(0, read);
            int newline;
            while ((newline = rest.IndexOf((byte)'\n')) >= 0)
            {
                ReadOnlySpan<byte> content = rest[..newline];
                if (!(carry.Count == 0 ? Utf8.IsValid(content) : Utf8.IsValid([.. carry, .. content]))) invalid.Add(line);
                carry.Clear();
                line++;
                rest = rest[(newline + 1)..];
            }
            carry.AddRange(rest);
        }
        if (carry.Count == 0) return (invalid, line - 1);
        if (!Utf8.IsValid([.. carry])) invalid.Add(line);
        return (invalid, line);
    }

    /// <summary>
    /// How many of <paramref name="rows"/> (in file order) span an invalid line: a row covers the
    /// lines from its own up to the next row's (a quoted CSV field may span several), and the
    /// first such row's line; (0, 0) when none does.
    /// </summary>
    internal static (int Rows, long FirstLine) RowsAffected(IReadOnlyList<TextRow> rows, List<long> invalidLines)
    {
        int count = 0;
        long first = 0;
        int next = 0;
        for (int i = 0; i < rows.Count && next < invalidLines.Count; i++)
        {
            long start = rows[i].Line;
            long end = i + 1 < rows.Count ? rows[i + 1].Line : long.MaxValue;
            while (next < invalidLines.Count && invalidLines[next] < start) next++;
            if (next < invalidLines.Count && invalidLines[next] < end)
            {
                if (count++ == 0) first = start;
            }
        }

        return (count, first);
    }
}
