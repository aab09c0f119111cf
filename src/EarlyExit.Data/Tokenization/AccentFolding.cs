using System.Globalization;
using System.Text;

namespace EarlyExit.Data.Tokenization;

/// <summary>
/// BERT's accent stripping (<c>_run_strip_accents</c>): canonical decomposition (NFD), then drop
/// the non-spacing marks (category Mn), so "café" becomes "cafe" before word pieces are looked up.
/// </summary>
/// <remarks>
/// NFD comes from .NET's <see cref="string.Normalize(NormalizationForm)"/>, backed by ICU; the
/// solution therefore does not run in invariant-globalization mode, where that call would leave
/// non-ASCII text unchanged.
/// </remarks>
internal static class AccentFolding
{
    /// <summary>Appends <paramref name="codePoint"/> with its accents removed (nothing for a lone mark).</summary>
    internal static void AppendStripped(StringBuilder builder, int codePoint)
    {
        if (codePoint < 0x00C0)
        {
            // Nothing below U+00C0 decomposes or is a mark: the common case, no allocation.
            builder.Append((char)codePoint);
            return;
        }

        foreach (var c in char.ConvertFromUtf32(codePoint).Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(c);
            }
        }
    }
}
