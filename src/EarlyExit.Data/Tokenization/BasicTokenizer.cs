using System.Globalization;
using System.Text;

namespace EarlyExit.Data.Tokenization;

/// <summary>
/// BERT's "basic tokenization" (Devlin et al. 2019; HuggingFace <c>BasicTokenizer</c>): clean the
/// text, isolate CJK ideographs, split on whitespace, lower-case, strip accents, and split off
/// punctuation. Its output words are then split into word pieces by Microsoft.ML.Tokenizers.
/// </summary>
/// <remarks>
/// <para>We do this step ourselves rather than with <c>BertOptions.ApplyBasicTokenization</c>
/// because Microsoft.ML.Tokenizers 2.0.1 splits with the regex <c>\w+|\p{P}</c>, which silently
/// drops every character that is neither (symbols such as <c>$ + &lt; = &gt; | ~ €</c> and emoji,
/// where BERT keeps ASCII symbols as tokens and maps other words to [UNK]) and keeps <c>_</c>
/// inside words.</para>
/// <para>Differences from HuggingFace that remain (our choice): bracketed special tokens in the
/// text ("[SEP]") are ordinary text, not special tokens; lower-casing is .NET's invariant simple
/// case mapping (no final-sigma rule).</para>
/// </remarks>
internal sealed class BasicTokenizer
{
    private readonly bool _lowerCase;
    private readonly bool _stripAccents;
    private readonly bool _tokenizeChineseChars;

    internal BasicTokenizer(bool lowerCase, bool stripAccents, bool tokenizeChineseChars = true)
    {
        _lowerCase = lowerCase;
        _stripAccents = stripAccents;
        _tokenizeChineseChars = tokenizeChineseChars;
    }

    /// <summary>
    /// The first <paramref name="maxWords"/> words of <paramref name="text"/>, joined by single spaces.
    /// Every word yields at least one word piece, so <paramref name="maxWords"/> = n words are enough
    /// for n pieces; stopping there keeps a 100 kB e-mail from being processed whole.
    /// </summary>
    internal string Split(string text, int maxWords)
    {
        var output = new StringBuilder(Math.Min(text.Length, 4 * maxWords) + 16);
        var scratch = new StringBuilder(8);
        var words = 0;
        var inWord = false;

        foreach (var rune in text.EnumerateRunes())
        {
            var codePoint = rune.Value;

            // _clean_text: drop NUL, U+FFFD (also what a lone surrogate reads as) and control/format
            // characters; whitespace separates words.
            if (codePoint is 0 or 0xFFFD)
            {
                continue;
            }

            if (IsWhitespace(rune))
            {
                inWord = false;
                continue;
            }

            if (IsControl(rune))
            {
                continue;
            }

            Transform(rune, scratch);
            if (scratch.Length == 0)
            {
                // A lone accent mark, stripped.
                continue;
            }

            // _tokenize_chinese_chars: every CJK ideograph is a word of its own.
            if (_tokenizeChineseChars && IsCjkIdeograph(codePoint))
            {
                if (!StartWord(output, ref words, maxWords))
                {
                    break;
                }

                output.Append(scratch);
                inWord = false;
                continue;
            }

            for (var i = 0; i < scratch.Length; i++)
            {
                var c = scratch[i];
                var punctuation = IsPunctuation(c);
                if (punctuation || !inWord)
                {
                    if (!StartWord(output, ref words, maxWords))
                    {
                        return output.ToString();
                    }

                    // _run_split_on_punc: a punctuation character is a word of its own.
                    inWord = !punctuation;
                }

                output.Append(c);
            }
        }

        return output.ToString();
    }

    // Starts a word (separated by one space) unless maxWords are already there.
    private static bool StartWord(StringBuilder output, ref int words, int maxWords)
    {
        if (words == maxWords)
        {
            return false;
        }

        if (words > 0)
        {
            output.Append(' ');
        }

        words++;
        return true;
    }

    // Lower-case and strip accents. Stripping first and lower-casing the result gives the same
    // text as BERT's lower-then-strip, and also handles 'İ' (→ "I" → "i"), which .NET's
    // invariant casing leaves upper-case.
    private void Transform(Rune rune, StringBuilder scratch)
    {
        scratch.Clear();
        if (_stripAccents)
        {
            AccentFolding.AppendStripped(scratch, rune.Value);
        }
        else
        {
            scratch.Append(rune.ToString());
        }

        if (_lowerCase)
        {
            for (var i = 0; i < scratch.Length; i++)
            {
                scratch[i] = char.ToLowerInvariant(scratch[i]);
            }
        }
    }

    // BERT's _is_whitespace (space, \t, \n, \r, category Zs) plus what Python's str.split()
    // also splits on (the rest of .NET's white space: \v, \f, U+0085, line/paragraph separators).
    private static bool IsWhitespace(Rune rune) => Rune.IsWhiteSpace(rune);

    // BERT's _is_control: any category starting with C (Cc, Cf, Cn, Co, Cs) except \t \n \r,
    // which are white space and handled before this.
    private static bool IsControl(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;

    // BERT's _is_punctuation: all non-alphanumeric ASCII (so $, +, <, =, >, ^, `, |, ~ count)
    // and every Unicode punctuation category (P*). Surrogate halves are never punctuation.
    private static bool IsPunctuation(char c) =>
        c is (>= '!' and <= '/') or (>= ':' and <= '@') or (>= '[' and <= '`') or (>= '{' and <= '~')
        || char.GetUnicodeCategory(c) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation
            or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation
            or UnicodeCategory.OtherPunctuation;

    // BERT's _is_chinese_char: the CJK Unified Ideographs blocks and their extensions, plus the
    // compatibility ideographs (not Hangul, Hiragana or Katakana, which are written with spaces).
    private static bool IsCjkIdeograph(int codePoint) =>
        codePoint is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}
