using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace EarlyExit.Data.Tokenization;

/// <summary>
/// Turns a text into sub-word ids (no special tokens). <see cref="Encode"/> must return at least the
/// first <c>need</c> ids of the whole text's encoding (all of them when it has fewer), exactly as
/// the whole text would give them, so that long inputs need not be processed whole.
/// </summary>
internal abstract class PieceEncoder
{
    internal abstract int VocabularySize { get; }

    internal abstract IReadOnlyList<int> Encode(string text, int need);

    /// <summary>The token of an id, or null when the id is not in the vocabulary.</summary>
    internal abstract string? TokenOf(int id);

    /// <summary>
    /// The prefix of <paramref name="text"/> that ends with its <paramref name="words"/>-th
    /// run of non-separator characters (the whole text when it has fewer). Every such word gives
    /// at least one piece, and no piece crosses a separator, so the prefix's pieces are the first
    /// pieces of the whole text, at least <paramref name="words"/> of them.
    /// </summary>
    internal static string ClipToWords(string text, int words, Func<char, bool> isSeparator)
    {
        if (words <= 0)
        {
            return string.Empty;
        }

        if (words >= text.Length)
        {
            return text;
        }

        var seen = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (!isSeparator(text[i]) && (i + 1 == text.Length || isSeparator(text[i + 1])))
            {
                seen++;
                if (seen == words)
                {
                    return text[..(i + 1)];
                }
            }
        }

        return text;
    }
}

/// <summary>BERT word pieces: our <see cref="BasicTokenizer"/>, then Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/> for the pieces.</summary>
internal sealed class WordPieceEncoder : PieceEncoder
{
    private readonly BertTokenizer _bert;
    private readonly string[] _vocabulary;
    private readonly BasicTokenizer _basic;

    internal WordPieceEncoder(BertTokenizer bert, string[] vocabulary, BasicTokenizer basic)
    {
        _bert = bert;
        _vocabulary = vocabulary;
        _basic = basic;
    }

    internal BertTokenizer Bert => _bert;

    internal override int VocabularySize => _vocabulary.Length;

    internal override IReadOnlyList<int> Encode(string text, int need) =>
        _bert.EncodeToIds(_basic.Split(text, need), addSpecialTokens: false);

    internal override string? TokenOf(int id) => (uint)id < (uint)_vocabulary.Length ? _vocabulary[id] : null;
}

/// <summary>GPT-2/RoBERTa byte-level BPE through Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/> (byte level, GPT-2's pre-tokenizer).</summary>
internal sealed class ByteLevelBpeEncoder : PieceEncoder
{
    private readonly BpeTokenizer _bpe;
    private readonly string?[] _vocabulary;
    private readonly bool _addPrefixSpace;

    internal ByteLevelBpeEncoder(BpeTokenizer bpe, string?[] vocabulary, bool addPrefixSpace)
    {
        _bpe = bpe;
        _vocabulary = vocabulary;
        _addPrefixSpace = addPrefixSpace;
    }

    internal override int VocabularySize => _vocabulary.Length;

    // GPT-2's pre-tokenizer never joins characters across white space into one pre-token (its
    // " ?\p{L}+", " ?\p{N}+" and " ?[^\s\p{L}\p{N}]+" stop at white space), so cutting after a word is exact.
    // add_prefix_space (HF's RobertaTokenizer): a text that does not start with white space gets one
    // space in front, so its first word is encoded as it would be inside a sentence.
    internal override IReadOnlyList<int> Encode(string text, int need)
    {
        var clipped = ClipToWords(text, need, char.IsWhiteSpace);
        if (_addPrefixSpace && clipped.Length > 0 && !char.IsWhiteSpace(clipped[0]))
        {
            clipped = " " + clipped;
        }

        return _bpe.EncodeToIds(clipped);
    }

    internal override string? TokenOf(int id) => (uint)id < (uint)_vocabulary.Length ? _vocabulary[id] : null;
}

/// <summary>
/// A SentencePiece model through Microsoft.ML.Tokenizers' <see cref="SentencePieceTokenizer"/>, with
/// the id mapping of the HF tokenizer around it (XLM-R's fairseq offset) and ALBERT's text preparation.
/// </summary>
internal sealed class SentencePieceEncoder : PieceEncoder
{
    private readonly SentencePieceTokenizer _spm;
    private readonly string?[] _vocabulary;
    private readonly Func<int, int> _mapId;
    private readonly bool _lowerCase;
    private readonly bool _stripAccents;

    internal SentencePieceEncoder(SentencePieceTokenizer spm, string?[] vocabulary, Func<int, int> mapId, bool lowerCase, bool stripAccents)
    {
        _spm = spm;
        _vocabulary = vocabulary;
        _mapId = mapId;
        _lowerCase = lowerCase;
        _stripAccents = stripAccents;
    }

    internal override int VocabularySize => _vocabulary.Length;

    // SentencePiece splits words at the space (▁) only, so the cut is after a word ended by ' '.
    internal override IReadOnlyList<int> Encode(string text, int need)
    {
        var clipped = ClipToWords(text, need, c => c == ' ');
        var prepared = _lowerCase || _stripAccents ? Prepare(clipped) : clipped;
        var ids = _spm.EncodeToIds(prepared, addBeginningOfSentence: false, addEndOfSentence: false);
        var mapped = new int[ids.Count];
        for (var i = 0; i < mapped.Length; i++)
        {
            mapped[i] = _mapId(ids[i]);
        }

        return mapped;
    }

    internal override string? TokenOf(int id) => (uint)id < (uint)_vocabulary.Length ? _vocabulary[id] : null;

    // ALBERT's preprocess_text: without keep_accents, NFKD and drop combining marks; with
    // do_lower_case, lower-case (.NET's invariant mapping).
    private string Prepare(string text)
    {
        if (_stripAccents)
        {
            var builder = new StringBuilder(text.Length);
            foreach (var c in text.Normalize(NormalizationForm.FormKD))
            {
                if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
                {
                    builder.Append(c);
                }
            }

            text = builder.ToString();
        }

        return _lowerCase ? text.ToLowerInvariant() : text;
    }
}
