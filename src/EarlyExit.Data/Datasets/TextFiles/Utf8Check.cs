using System.Text;

namespace EarlyExit.Data.Datasets.TextFiles;

/// <summary>
/// Finds the lines of a text file that are not valid UTF-8. The readers decode such bytes as
/// U+FFFD, as .NET does; this says which rows that happened to, so it is never silent.
/// </summary>
internal static class Utf8Check
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The 1-based numbers of the lines of <paramref name="path"/> holding invalid UTF-8, in order.</summary>
    internal static List<long> InvalidLines(string path)
    {
        var invalid = new List<long>();
        ReadOnlySpan<byte> bytes = File.ReadAllBytes(path);
        long line = 1;
        while (!bytes.IsEmpty)
        {
            int end = bytes.IndexOf((byte)'\n');
            ReadOnlySpan<byte> content = end < 0 ? bytes : bytes[..end];
            try
            {
                _ = Strict.GetCharCount(content);
            }
            catch (DecoderFallbackException)
            {
                invalid.Add(line);
            }

            bytes = end < 0 ? [] : bytes[(end + 1)..];
            line++;
        }

        return invalid;
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
