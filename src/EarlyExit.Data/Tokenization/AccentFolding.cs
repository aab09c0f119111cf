using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace EarlyExit.Data.Tokenization;

/// <summary>
/// BERT's accent stripping (NFD, then drop non-spacing marks) for one code point, without
/// <see cref="string.Normalize()"/>: under .NET's invariant-globalization mode (set for the whole
/// solution in Directory.Build.props) that call leaves non-ASCII text unchanged, so "café" would
/// stay "café" and become [UNK].
/// </summary>
/// <remarks>
/// The decompositions come from <c>AccentFolding.tsv</c>, which <c>AccentFolding.py</c> writes from
/// Python's Unicode database (the one HuggingFace's tokenizer uses). Hangul syllables decompose
/// algorithmically, as NFD does (Unicode §3.12, "Conjoining Jamo Behavior"). Marks themselves
/// (category Mn) are dropped by category, which .NET knows even in invariant mode.
/// </remarks>
internal static class AccentFolding
{
    private const string TableResourceSuffix = ".AccentFolding.tsv";

    // Hangul syllable decomposition (Unicode §3.12): S = SBase + (L·VCount + V)·TCount + T.
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int TCount = 28, NCount = 21 * TCount, SCount = 19 * NCount;

    private static readonly Lazy<FrozenDictionary<int, string>> Table = new(LoadTable);

    /// <summary>Appends <paramref name="codePoint"/> with its accents removed (nothing for a lone mark).</summary>
    internal static void AppendStripped(StringBuilder builder, int codePoint)
    {
        if (codePoint < 0x00C0)
        {
            // Nothing below U+00C0 decomposes or is a mark: the common case.
            builder.Append((char)codePoint);
        }
        else if (Table.Value.TryGetValue(codePoint, out var folded))
        {
            builder.Append(folded);
        }
        else if (codePoint is >= SBase and < SBase + SCount)
        {
            var s = codePoint - SBase;
            builder.Append((char)(LBase + (s / NCount)));
            builder.Append((char)(VBase + (s % NCount / TCount)));
            if (s % TCount != 0)
            {
                builder.Append((char)(TBase + (s % TCount)));
            }
        }
        else if (CharUnicodeInfo.GetUnicodeCategory(codePoint) != UnicodeCategory.NonSpacingMark)
        {
            builder.Append(char.ConvertFromUtf32(codePoint));
        }
    }

    private static FrozenDictionary<int, string> LoadTable()
    {
        var assembly = typeof(AccentFolding).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith(TableResourceSuffix, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        var table = new Dictionary<int, string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            // "00C9\t0045": code point, tab, replacement code points (hex, space separated).
            var tab = line.IndexOf('\t');
            var key = int.Parse(line.AsSpan(0, tab), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var value = new StringBuilder();
            foreach (var hex in line[(tab + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                value.Append(char.ConvertFromUtf32(int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            }

            table.Add(key, value.ToString());
        }

        return table.ToFrozenDictionary();
    }
}
