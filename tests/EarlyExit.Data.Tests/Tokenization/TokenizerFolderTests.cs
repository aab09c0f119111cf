using EarlyExit.Data.Tokenization;

namespace EarlyExit.Data.Tests.Tokenization;

// The folders under Folders/ are written by Folders/make_fixtures.py; every expected id below is
// worked out by hand from the vocabularies, merges and piece scores listed there.
public sealed class TokenizerFolderTests : IDisposable
{
    private readonly List<string> _temporary = [];

    private static string Folder(string name) => Path.Combine(AppContext.BaseDirectory, "Tokenization", "Folders", name);

    private static long[] Ids(TokenBatch batch, int row = 0) => batch.InputIdsOf(row)[..batch.Lengths.Span[row]].ToArray();

    private static long[] Row(TextTokenizer tokenizer, string text, string? pair = null) => tokenizer.EncodeRow(text, pair).InputIds.ToArray();

    private static long[] Types(TextTokenizer tokenizer, string text, string? pair = null) => tokenizer.EncodeRow(text, pair).TokenTypeIds.ToArray();

    // A copy of a fixture folder that a test may change.
    private string Copy(string name, Action<string>? change = null)
    {
        var target = Path.Combine(Path.GetTempPath(), "tokfolder-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(target);
        _temporary.Add(target);
        if (name.Length > 0)
        {
            foreach (var file in Directory.GetFiles(Folder(name)))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }

        change?.Invoke(target);
        return target;
    }

    public void Dispose()
    {
        foreach (var folder in _temporary)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Fails(string folder)
    {
        var error = Assert.Throws<TokenizerFolderException>(() => TextTokenizer.FromFolder(folder));
        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith($"tokenizer folder {folder}: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(folder, error.Folder);
        return error.Message[$"tokenizer folder {folder}: ".Length..];
    }

    // ---- WordPiece from vocab.txt ----
    // [PAD]0 [UNK]1 [CLS]2 [SEP]3 [MASK]4 hello5 world6 cafe7 ##s8 中9 文10 un11 ##aff12 ##able13
    // !14 ,15 a16 b17 c18 ##a19 café20 Hello21; tokenizer_config.json: do_lower_case true.

    [Fact]
    public void WordPieceVocabTxt_ReadsIdsCasingAndSpecials()
    {
        var tokenizer = TextTokenizer.FromFolder(Folder("wordpiece"));

        Assert.Equal(TokenizerKind.WordPiece, tokenizer.Kind);
        Assert.Equal(TokenizerLayout.Bert, tokenizer.Layout);
        Assert.Equal((2, 3, 0, 1), (tokenizer.ClassificationId, tokenizer.SeparatorId, tokenizer.PaddingId, tokenizer.UnknownId));
        Assert.Equal(22, tokenizer.VocabularySize);
        Assert.Equal(512, tokenizer.Options.MaxLength); // model_max_length 512
        Assert.True(tokenizer.Options.LowerCase);
        Assert.True(tokenizer.Options.StripAccents); // strip_accents absent: follows do_lower_case
        Assert.Equal(["tokenizer_config.json", "special_tokens_map.json", "vocab.txt"], tokenizer.Files);

        Assert.Equal([2L, 5, 15, 6, 14, 3], Row(tokenizer, "Hello, World!")); // [CLS] hello , world ! [SEP]
        Assert.Equal([2L, 7, 3], Row(tokenizer, "Café"));                     // lower + strip: cafe
        Assert.Equal([2L, 9, 10, 1, 3], Row(tokenizer, "中文字"));             // 中 文, 字 unknown
        Assert.Equal([2L, 1, 3], Row(tokenizer, "hello😀"));                  // one word, no match for ##😀: [UNK]
        Assert.Equal([2L, 11, 12, 13, 3], Row(tokenizer, "unaffable"));       // un ##aff ##able
        Assert.Equal([2L, 16, 19, 19, 19, 19, 3], Row(tokenizer, "aaaaa"));   // a ##a ##a ##a ##a
        Assert.Equal([2L, 1, 3], Row(tokenizer, new string('a', 150)));       // over 100 characters: [UNK]
        Assert.Equal([5, 6], tokenizer.PieceIds("hello world"));
        Assert.Equal("##aff", tokenizer.TokenOf(12));
    }

    [Fact]
    public void WordPieceVocabTxt_PairsTruncationAndPadding()
    {
        var tokenizer = TextTokenizer.FromFolder(Folder("wordpiece"));
        Assert.Equal([2L, 5, 3, 6, 3], Row(tokenizer, "hello", "world")); // [CLS] hello [SEP] world [SEP]
        Assert.Equal([0L, 0, 0, 1, 1], Types(tokenizer, "hello", "world"));

        // maxLength 6 leaves 3 for a (5: a ##a ##a ##a ##a) and b (2: b c): (5,2) → (2,2) → tie cuts b → (2,1).
        var six = TextTokenizer.FromFolder(Folder("wordpiece"), maxLength: 6);
        Assert.Equal(6, six.Options.MaxLength);
        Assert.Equal([2L, 16, 19, 3, 17, 3], Row(six, "aaaaa", "b c"));
        Assert.Equal([2L, 16, 19, 19, 19, 3], Row(six, "aaaaaa")); // single: first 4 pieces

        // [CLS] hello world [SEP] and [CLS] a [SEP] [PAD]
        var batch = tokenizer.EncodeBatch(["hello world", "a"]);
        Assert.Equal([2L, 5, 6, 3, 2, 16, 3, 0], batch.InputIds.ToArray());
        Assert.Equal([1L, 1, 1, 1, 1, 1, 1, 0], batch.AttentionMask.ToArray());
    }

    // ---- WordPiece from tokenizer.json (same vocabulary, BertNormalizer lowercase false) ----

    [Fact]
    public void WordPieceTokenizerJson_ReadsTheVocabAndTheNormalizer()
    {
        var tokenizer = TextTokenizer.FromFolder(Folder("wordpiece-json"));

        Assert.Equal(TokenizerKind.WordPiece, tokenizer.Kind);
        Assert.Equal(["tokenizer.json"], tokenizer.Files);
        Assert.Equal(TokenizerFolder.MaxModelLength, tokenizer.Options.MaxLength); // no model_max_length
        Assert.False(tokenizer.Options.LowerCase);
        Assert.False(tokenizer.Options.StripAccents); // strip_accents null follows lowercase false
        Assert.Equal([2L, 21, 20, 3], Row(tokenizer, "Hello café")); // cased: Hello café
        Assert.Equal([2L, 1, 3], Row(tokenizer, "HELLO"));           // not in the vocabulary
        Assert.Equal([2L, 5, 3, 6, 3], Row(tokenizer, "hello", "world"));
        Assert.Equal([0L, 0, 0, 1, 1], Types(tokenizer, "hello", "world"));
        Assert.Equal([2L, 9, 10, 1, 3], Row(tokenizer, "中文字"));           // handle_chinese_chars: 中 文 [UNK]
        Assert.Equal([2L, 1, 3], Row(tokenizer, "hello😀"));                // no ##😀: the word is [UNK]
        Assert.Equal([2L, 16, 19, 19, 19, 19, 3], Row(tokenizer, "aaaaa")); // a ##a ##a ##a ##a

        // maxLength 5: [CLS] a ##a ##a [SEP]; the pair (5, 2) in budget 2 → (1, 1).
        var five = TextTokenizer.FromFolder(Folder("wordpiece-json"), maxLength: 5);
        Assert.Equal([2L, 16, 19, 19, 3], Row(five, "aaaaa"));
        Assert.Equal([2L, 16, 3, 17, 3], Row(five, "aaaaa", "b c"));

        // [CLS] hello world [SEP] and [CLS] a [SEP] [PAD]
        Assert.Equal([2L, 5, 6, 3, 2, 16, 3, 0], tokenizer.EncodeBatch(["hello world", "a"]).InputIds.ToArray());

        // tokenizer_config.json's do_lower_case wins over the normalizer: hello cafe.
        var lowered = TextTokenizer.FromFolder(Copy("wordpiece-json", f => File.WriteAllText(Path.Combine(f, "tokenizer_config.json"), "{\"do_lower_case\": true}")));
        Assert.Equal([2L, 5, 7, 3], Row(lowered, "Hello Café"));
    }

    // ---- Byte-level BPE (RoBERTa) ----
    // <s>0 <pad>1 </s>2 <unk>3; byte b is 4 + b (Ġ = space = 36); merges: he260 ll261 hell262
    // hello263 Ġw264 or265 Ġwor266 Ġworl267 Ġworld268 Ġhello269 é(Ã©)270; <mask>271.

    [Fact]
    public void ByteLevelBpe_ReadsVocabMergesAndSpecials()
    {
        var tokenizer = TextTokenizer.FromFolder(Folder("roberta"));

        Assert.Equal(TokenizerKind.ByteLevelBpe, tokenizer.Kind);
        Assert.Equal(TokenizerLayout.Roberta, tokenizer.Layout);
        Assert.Equal((0, 2, 1, 3), (tokenizer.ClassificationId, tokenizer.SeparatorId, tokenizer.PaddingId, tokenizer.UnknownId));
        Assert.Equal(272, tokenizer.VocabularySize);
        Assert.Equal("hello", tokenizer.TokenOf(263));
        Assert.Equal(["tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt"], tokenizer.Files);

        Assert.Equal([0L, 263, 268, 2], Row(tokenizer, "hello world"));                       // hello Ġworld
        Assert.Equal([0L, 103, 101, 106, 270, 2], Row(tokenizer, "café"));                    // c a f é (C3 A9 merged)
        Assert.Equal([0L, 232, 188, 177, 2], Row(tokenizer, "中"));                           // bytes E4 B8 AD
        Assert.Equal([0L, 263, 36, 244, 163, 156, 132, 2], Row(tokenizer, "hello 😀"));       // hello, Ġ + F0 9F 98 80
        Assert.Equal([0L, 263, 263, 263, 2], Row(tokenizer, "hellohellohello"));              // one long word
        Assert.Equal([0L, 2], Row(tokenizer, ""));
    }

    [Fact]
    public void ByteLevelBpe_PairsTruncationPaddingAndPrefixSpace()
    {
        var tokenizer = TextTokenizer.FromFolder(Folder("roberta"));

        // <s> hello </s></s> w or l d </s>, token types all 0.
        Assert.Equal([0L, 263, 2, 2, 123, 265, 112, 104, 2], Row(tokenizer, "hello", "world"));
        Assert.Equal(new long[9], Types(tokenizer, "hello", "world"));

        // maxLength 7 leaves 3 for (2, 4): (2,3) → (2,2) → tie cuts b → (2,1).
        var seven = TextTokenizer.FromFolder(Folder("roberta"), maxLength: 7);
        Assert.Equal([0L, 263, 268, 2, 2, 123, 2], Row(seven, "hello world", "world"));
        var four = TextTokenizer.FromFolder(Folder("roberta"), maxLength: 4);
        Assert.Equal([0L, 263, 263, 2], Row(four, "hellohellohello")); // the cut falls inside the word
        Assert.Throws<ArgumentOutOfRangeException>(() => TextTokenizer.FromFolder(Folder("roberta"), maxLength: 3));

        // padToMaxLength: [<s> hello </s>] then <pad> = 1 up to 6.
        var fixedWidth = TextTokenizer.FromFolder(Folder("roberta"), maxLength: 6, padToMaxLength: true);
        Assert.Equal([0L, 263, 2, 1, 1, 1], fixedWidth.Encode("hello").InputIds.ToArray());

        // Padding is <pad> = 1.
        var batch = tokenizer.EncodeBatch(["hello world", "hello"]);
        Assert.Equal([0L, 263, 268, 2, 0, 263, 2, 1], batch.InputIds.ToArray());
        Assert.Equal([1L, 1, 1, 1, 1, 1, 1, 0], batch.AttentionMask.ToArray());

        // add_prefix_space true: " hello" is Ġhello.
        var prefixed = TextTokenizer.FromFolder(Copy("roberta", f => File.WriteAllText(Path.Combine(f, "tokenizer_config.json"), "{\"add_prefix_space\": true}")));
        Assert.Equal([0L, 269, 2], Row(prefixed, "hello"));
    }

    [Fact]
    public void ByteLevelBpeTokenizerJson_ReadsTheInlineVocabAndMerges()
    {
        // Same vocabulary and merges as roberta/, written as one tokenizer.json (merges as pairs).
        var tokenizer = TextTokenizer.FromFolder(Folder("roberta-json"));

        Assert.Equal(TokenizerKind.ByteLevelBpe, tokenizer.Kind);
        Assert.Equal(TokenizerLayout.Roberta, tokenizer.Layout);
        Assert.Equal(["tokenizer.json"], tokenizer.Files);
        Assert.Equal((0, 2, 1, 3), (tokenizer.ClassificationId, tokenizer.SeparatorId, tokenizer.PaddingId, tokenizer.UnknownId)); // defaults <s> </s> <pad> <unk>
        Assert.Equal([0L, 263, 268, 2], Row(tokenizer, "hello world"));                  // hello Ġworld
        Assert.Equal([0L, 263, 2, 2, 123, 265, 112, 104, 2], Row(tokenizer, "hello", "world"));
        Assert.Equal([0L, 103, 101, 106, 270, 2], Row(tokenizer, "café"));

        // pre_tokenizer.add_prefix_space true: Ġhello.
        var prefixed = TextTokenizer.FromFolder(Copy("roberta-json", f =>
        {
            var path = Path.Combine(f, "tokenizer.json");
            File.WriteAllText(path, File.ReadAllText(path).Replace("\"add_prefix_space\": false", "\"add_prefix_space\": true", StringComparison.Ordinal));
        }));
        Assert.Equal([0L, 269, 2], Row(prefixed, "hello"));
    }

    // ---- SentencePiece unigram, XLM-R (HF id = spm id + 1; spm <unk> → 3) ----
    // HF ids: <s>0 <pad>1 </s>2 <unk>3 ▁4 ▁hello5 ▁world6 hello7 ▁he8 llo9 ▁caf10 é11 中12 文13
    // h14 e15 l16 o17 <mask>18. Scores: ▁hello/▁world −1, hello −1.5, ▁caf/é/中/文 −2, ▁he/llo −3, ▁ −5, letters −6.

    [Fact]
    public void SentencePieceXlmR_ShiftsIdsByTheFairseqOffset()
    {
        var tokenizer = TextTokenizer.FromFolder(Folder("xlmr"));

        Assert.Equal(TokenizerKind.SentencePiece, tokenizer.Kind);
        Assert.Equal(TokenizerLayout.Roberta, tokenizer.Layout);
        Assert.Equal((0, 2, 1, 3), (tokenizer.ClassificationId, tokenizer.SeparatorId, tokenizer.PaddingId, tokenizer.UnknownId));
        Assert.Equal(19, tokenizer.VocabularySize);
        Assert.Equal("▁hello", tokenizer.TokenOf(5));
        Assert.Equal("<mask>", tokenizer.TokenOf(18));
        Assert.Equal(["tokenizer_config.json", "special_tokens_map.json", "sentencepiece.bpe.model"], tokenizer.Files);

        Assert.Equal([0L, 5, 6, 2], Row(tokenizer, "hello world"));     // ▁hello ▁world (−2 beats ▁he llo …)
        Assert.Equal([0L, 10, 11, 2], Row(tokenizer, "café"));          // ▁caf é
        Assert.Equal([0L, 4, 12, 13, 2], Row(tokenizer, "中文"));       // ▁ 中 文
        Assert.Equal([0L, 4, 3, 2], Row(tokenizer, "😀"));              // ▁ <unk>
        long[] longWord = [0, 5, .. Enumerable.Repeat(7L, 29), 2];      // ▁hello then hello × 29
        Assert.Equal(longWord, Row(tokenizer, string.Concat(Enumerable.Repeat("hello", 30))));
    }

    [Fact]
    public void SentencePieceXlmR_PairsTruncationAndPadding()
    {
        var tokenizer = TextTokenizer.FromFolder(Folder("xlmr"));
        Assert.Equal([0L, 5, 2, 2, 6, 2], Row(tokenizer, "hello", "world")); // <s> ▁hello </s></s> ▁world </s>
        Assert.Equal(new long[6], Types(tokenizer, "hello", "world"));

        var six = TextTokenizer.FromFolder(Folder("xlmr"), maxLength: 6);
        Assert.Equal([0L, 5, 7, 7, 7, 2], Row(six, string.Concat(Enumerable.Repeat("hello", 30))));
        // Pair budget 2 for (2, 1): (1, 1).
        Assert.Equal([0L, 5, 2, 2, 6, 2], Row(six, "hello world", "world"));

        var batch = tokenizer.EncodeBatch(["hello world", "hello"]);
        Assert.Equal([0L, 5, 6, 2, 0, 5, 2, 1], batch.InputIds.ToArray()); // padding <pad> = 1
        Assert.Equal([1L, 1, 1, 1, 1, 1, 1, 0], batch.AttentionMask.ToArray());
    }

    // ---- SentencePiece BPE, XLM-R (the real sentencepiece.bpe.model is a BPE model) ----
    // spm: <unk>0 <s>1 </s>2 ▁h3 ▁he4 ll5 ▁hell6 ▁hello7 ▁w8 or9 ▁wor10 ld11 ▁world12 ▁13 h14 e15 l16 o17 w18 r19 d20,
    // scores −1 (▁h) down to −18 (d): the highest-scoring adjacent pair in the vocabulary merges first. HF ids are + 1.

    [Fact]
    public void SentencePieceBpeXlmR_MergesByScoreAndShiftsIds()
    {
        var tokenizer = TextTokenizer.FromFolder(Folder("xlmr-bpe"));

        Assert.Equal(TokenizerKind.SentencePiece, tokenizer.Kind);
        Assert.Equal(["sentencepiece.bpe.model"], tokenizer.Files);
        Assert.Equal(23, tokenizer.VocabularySize); // 21 pieces + 1, then <mask>

        // ▁ h e l l o → ▁h e l l o → ▁he l l o → ▁he ll o → ▁hell o → ▁hello (7 → 8);
        // ▁ w o r l d → ▁w o r l d → ▁w or l d → ▁wor l d → ▁wor ld → ▁world (12 → 13).
        Assert.Equal([0L, 8, 13, 2], Row(tokenizer, "hello world"));
        // ▁ h e l d → ▁h e l d → ▁he l d → ▁he ld (▁held is no piece): 4, 11 → 5, 12.
        Assert.Equal([0L, 5, 12, 2], Row(tokenizer, "held"));
        // ▁ then the unknown emoji: 13 → 14, <unk> → 3.
        Assert.Equal([0L, 14, 3, 2], Row(tokenizer, "😀"));
        Assert.Equal([0L, 8, 2, 2, 13, 2], Row(tokenizer, "hello", "world"));
    }

    // ---- SentencePiece unigram, ALBERT (ids as in the model) ----
    // <pad>0 <unk>1 [CLS]2 [SEP]3 [MASK]4 ▁5 ▁hello6 ▁world7 ▁cafe8 hello9 中10 文11 é12 ▁caf13.

    [Fact]
    public void SentencePieceAlbert_LowerCasesStripsAccentsAndUsesBertLayout()
    {
        var tokenizer = TextTokenizer.FromFolder(Folder("albert"));

        Assert.Equal(TokenizerKind.SentencePiece, tokenizer.Kind);
        Assert.Equal(TokenizerLayout.Bert, tokenizer.Layout);
        Assert.Equal((2, 3, 0, 1), (tokenizer.ClassificationId, tokenizer.SeparatorId, tokenizer.PaddingId, tokenizer.UnknownId));
        Assert.Equal(14, tokenizer.VocabularySize);
        Assert.Equal(["tokenizer_config.json", "special_tokens_map.json", "spiece.model"], tokenizer.Files);

        Assert.Equal([2L, 6, 8, 3], Row(tokenizer, "Hello Café"));  // hello cafe: ▁hello ▁cafe
        Assert.Equal([2L, 5, 10, 11, 3], Row(tokenizer, "中文"));   // ▁ 中 文
        Assert.Equal([2L, 5, 1, 3], Row(tokenizer, "😀"));          // ▁ <unk>
        Assert.Equal([2L, 6, 3, 7, 3], Row(tokenizer, "hello", "world"));
        Assert.Equal([0L, 0, 0, 1, 1], Types(tokenizer, "hello", "world"));

        // keep_accents: café is ▁caf (−2.5) é (−3).
        var accents = TextTokenizer.FromFolder(Copy("albert", f => File.WriteAllText(Path.Combine(f, "tokenizer_config.json"), "{\"keep_accents\": true}")));
        Assert.Equal([2L, 13, 12, 3], Row(accents, "café"));
    }

    [Fact]
    public void SentencePieceAlbert_TruncationAndPadding()
    {
        var five = TextTokenizer.FromFolder(Folder("albert"), maxLength: 5);
        Assert.Equal([2L, 6, 9, 9, 3], Row(five, string.Concat(Enumerable.Repeat("HELLO", 30)))); // ▁hello hello hello

        // maxLength 6, budget 3 for (2, 3): (2,2) → tie cuts b → (2,1).
        var six = TextTokenizer.FromFolder(Folder("albert"), maxLength: 6);
        Assert.Equal([2L, 6, 7, 3, 6, 3], Row(six, "hello world", "hellohellohello"));
        Assert.Equal([0L, 0, 0, 0, 1, 1], Types(six, "hello world", "hellohellohello"));

        var batch = TextTokenizer.FromFolder(Folder("albert")).EncodeBatch(["hello world", "hello"]);
        Assert.Equal([2L, 6, 7, 3, 2, 6, 3, 0], batch.InputIds.ToArray());

        // padToMaxLength: both rows padded with <pad> = 0 to 6.
        var fixedWidth = TextTokenizer.FromFolder(Folder("albert"), maxLength: 6, padToMaxLength: true);
        Assert.True(fixedWidth.Options.PadToMaxLength);
        Assert.Equal([2L, 6, 7, 3, 0, 0, 2, 6, 3, 0, 0, 0], fixedWidth.EncodeBatch(["hello world", "hello"]).InputIds.ToArray());
    }

    [Theory]
    [InlineData("wordpiece")]
    [InlineData("wordpiece-json")]
    [InlineData("roberta")]
    [InlineData("roberta-json")]
    [InlineData("xlmr")]
    [InlineData("xlmr-bpe")]
    [InlineData("albert")]
    public void Files_CopiedElsewhere_GiveTheSameTokenizer(string name)
    {
        var original = TextTokenizer.FromFolder(Folder(name));
        var target = Copy("");
        foreach (var file in original.Files)
        {
            File.Copy(Path.Combine(Folder(name), file), Path.Combine(target, file));
        }

        var copy = TextTokenizer.FromFolder(target);
        string[] texts = ["Hello, world!", "café 中文 😀", string.Concat(Enumerable.Repeat("hello", 50))];
        Assert.Equal(original.EncodeBatch(texts, ["world", null, "hello"]), copy.EncodeBatch(texts, ["world", null, "hello"]));
    }

    [Fact]
    public void RowsStayWithinMaxLength_ForEveryKind()
    {
        var text = string.Join(' ', Enumerable.Repeat("hello world café", 400));
        foreach (var name in new[] { "wordpiece", "wordpiece-json", "roberta", "roberta-json", "xlmr", "albert" })
        {
            var tokenizer = TextTokenizer.FromFolder(Folder(name), maxLength: 16);
            Assert.Equal(16, tokenizer.EncodeRow(text).Length);
            Assert.Equal(16, tokenizer.EncodeRow(text, text).Length);

            // The bounded encoding is the prefix of the whole text's pieces.
            long[] expected = [tokenizer.ClassificationId, .. tokenizer.PieceIds(text).Take(14).Select(id => (long)id), tokenizer.SeparatorId];
            Assert.Equal(expected, Row(tokenizer, text));
        }
    }

    [Fact]
    public void MiniLmVocabularyInAFolder_GivesTheIdsOfForMiniLm()
    {
        // all-MiniLM-L6-v2's own vocab.txt and tokenizer_config.json (do_lower_case true): the
        // folder path and ForMiniLm must agree id for id.
        var folder = Copy("", f =>
        {
            using (var vocabulary = TextTokenizer.OpenMiniLmVocabulary())
            using (var file = File.Create(Path.Combine(f, "vocab.txt")))
            {
                vocabulary.CopyTo(file);
            }

            File.WriteAllText(Path.Combine(f, "tokenizer_config.json"), "{\"do_lower_case\": true, \"model_max_length\": 512}");
        });
        var fromFolder = TextTokenizer.FromFolder(folder, maxLength: 128);
        var miniLm = TextTokenizer.ForMiniLm();

        Assert.Equal(miniLm.Options, fromFolder.Options);
        Assert.Equal((101, 102, 0, 100), (fromFolder.ClassificationId, fromFolder.SeparatorId, fromFolder.PaddingId, fromFolder.UnknownId));
        string[] texts = ["Hello, World!", "Café naïve résumé ÉCOLE Straße", "$100+<= €5 hi😀 中文字", "unaffable " + string.Join(' ', Enumerable.Repeat("hello", 300))];
        string?[] pairs = ["the", null, "[SEP] [CLS]", "a b c"];
        Assert.Equal(miniLm.EncodeBatch(texts, pairs), fromFolder.EncodeBatch(texts, pairs));
    }

    [Fact]
    public void CreateAndForMiniLm_AreWordPieceWithTheBertLayoutAndNoFiles()
    {
        var miniLm = TextTokenizer.ForMiniLm();

        Assert.Equal(TokenizerKind.WordPiece, miniLm.Kind);
        Assert.Equal(TokenizerLayout.Bert, miniLm.Layout);
        Assert.Empty(miniLm.Files);
        Assert.Equal(miniLm.WordPieceIds("unaffable café"), miniLm.PieceIds("unaffable café"));
    }

    [Fact]
    public void Collate_OfRows_EqualsEncodeBatch_ForEveryKind()
    {
        string[] texts = ["hello world", "café 中文 😀", "", string.Concat(Enumerable.Repeat("hello", 40))];
        string?[] pairs = ["world", null, "hello", "hello world"];
        foreach (var name in new[] { "wordpiece", "wordpiece-json", "roberta", "roberta-json", "xlmr", "albert" })
        {
            var tokenizer = TextTokenizer.FromFolder(Folder(name), maxLength: 12);
            Assert.Equal(tokenizer.EncodeBatch(texts, pairs), tokenizer.Collate([.. texts.Select((t, i) => tokenizer.EncodeRow(t, pairs[i]))]));
        }
    }

    [Fact]
    public void MpNetClass_GivesAWordPieceTokenizerWithTheRobertaLayout()
    {
        // The WordPiece vocabulary plus <s>22 </s>23 <pad>24, tokenizer_class MPNetTokenizerFast,
        // no special_tokens_map.json: MPNet's defaults <s> </s> <pad> [UNK].
        var folder = Copy("wordpiece", f =>
        {
            File.AppendAllText(Path.Combine(f, "vocab.txt"), "<s>\n</s>\n<pad>\n");
            File.Delete(Path.Combine(f, "special_tokens_map.json"));
            File.WriteAllText(Path.Combine(f, "tokenizer_config.json"), "{\"tokenizer_class\": \"MPNetTokenizerFast\", \"do_lower_case\": true}");
        });
        var tokenizer = TextTokenizer.FromFolder(folder);

        Assert.Equal(TokenizerKind.WordPiece, tokenizer.Kind);
        Assert.Equal(TokenizerLayout.Roberta, tokenizer.Layout);
        Assert.Equal((22, 23, 24, 1), (tokenizer.ClassificationId, tokenizer.SeparatorId, tokenizer.PaddingId, tokenizer.UnknownId));
        Assert.Equal([22L, 5, 23, 23, 6, 23], Row(tokenizer, "Hello", "World")); // <s> hello </s></s> world </s>
        Assert.Equal(new long[6], Types(tokenizer, "Hello", "World"));
    }

    [Fact]
    public void EncodingFromManyThreads_GivesTheSequentialResults()
    {
        // One tokenizer shared by 8 threads (the server tokenizes on each request's thread).
        string[] texts = [.. Enumerable.Range(0, 64).Select(i => $"hello world {i} café 中文 " + string.Concat(Enumerable.Repeat("hello", i % 7)))];
        foreach (var name in new[] { "wordpiece", "roberta", "xlmr", "xlmr-bpe", "albert" })
        {
            var tokenizer = TextTokenizer.FromFolder(Folder(name));
            var sequential = texts.Select(t => Row(tokenizer, t)).ToArray();
            var mismatches = 0;
            Parallel.For(0, texts.Length * 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            {
                if (!Row(tokenizer, texts[i % texts.Length]).SequenceEqual(sequential[i % texts.Length]))
                {
                    Interlocked.Increment(ref mismatches);
                }
            });
            Assert.Equal(0, mismatches);
        }
    }

    // ---- bad folders ----

    [Fact]
    public void BadFolders_MissingFiles_SayWhichInOneLine()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-tokenizer-" + Guid.NewGuid().ToString("N"));
        Assert.Equal("the folder does not exist", Fails(missing));
        Assert.StartsWith("no tokenizer files found (looked for vocab.txt, sentencepiece.bpe.model, spiece.model, vocab.json + merges.txt, tokenizer.json)", Fails(Copy("")));
        Assert.Equal(
            "merges.txt not found (a byte-level BPE tokenizer needs vocab.json and merges.txt)",
            Fails(Copy("roberta", f => File.Delete(Path.Combine(f, "merges.txt")))));
        Assert.Equal(
            "vocab.json not found (a byte-level BPE tokenizer needs vocab.json and merges.txt)",
            Fails(Copy("roberta", f => File.Delete(Path.Combine(f, "vocab.json")))));
    }

    [Fact]
    public void BadFolders_MalformedFiles_NameTheFileAndLine()
    {
        Assert.Equal(
            "merges.txt line 3: expected two symbols separated by one space, got \"abc\"",
            Fails(Copy("roberta", f => File.WriteAllText(Path.Combine(f, "merges.txt"), "#version: 0.2\nh e\nabc\n"))));
        Assert.StartsWith(
            "tokenizer_config.json is not valid JSON (line 2:",
            Fails(Copy("wordpiece", f => File.WriteAllText(Path.Combine(f, "tokenizer_config.json"), "{\n  \"do_lower_case\": tru\n}"))));
        Assert.StartsWith(
            "vocab.json is not an object of token → integer id (line 1:",
            Fails(Copy("roberta", f => File.WriteAllText(Path.Combine(f, "vocab.json"), "{\"a\": \"x\"}"))));
        Assert.Equal(
            "vocab.txt is empty (a WordPiece vocabulary has one token a line)",
            Fails(Copy("wordpiece", f => File.WriteAllText(Path.Combine(f, "vocab.txt"), ""))));
        Assert.Equal(
            "cls_token \"[XYZ]\" is not in vocab.txt",
            Fails(Copy("wordpiece", f => File.WriteAllText(Path.Combine(f, "special_tokens_map.json"), "{\"cls_token\": {\"content\": \"[XYZ]\"}}"))));
        Assert.Equal(
            "tokenizer_config.json: model_max_length is \"long\", not a positive integer",
            Fails(Copy("wordpiece", f => File.WriteAllText(Path.Combine(f, "tokenizer_config.json"), "{\"model_max_length\": \"long\"}"))));
        Assert.Equal(
            "tokenizer_config.json: do_lower_case is 1, not true, false or null",
            Fails(Copy("wordpiece", f => File.WriteAllText(Path.Combine(f, "tokenizer_config.json"), "{\"do_lower_case\": 1}"))));
    }

    [Fact]
    public void BadFolders_WhatTheLibraryCannotBuild_IsRefusedInOneLine()
    {
        var unigramJson = Copy("", f => File.WriteAllText(Path.Combine(f, "tokenizer.json"), "{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}"));
        Assert.Equal(
            "tokenizer.json: model.type is Unigram; only a WordPiece or byte-level BPE tokenizer.json is read (for SentencePiece put sentencepiece.bpe.model or spiece.model in the folder)",
            Fails(unigramJson));

        var plainBpe = Copy("", f => File.WriteAllText(Path.Combine(f, "tokenizer.json"), "{\"pre_tokenizer\": {\"type\": \"Whitespace\"}, \"model\": {\"type\": \"BPE\", \"vocab\": {}, \"merges\": []}}"));
        Assert.Equal(
            "tokenizer.json: a BPE model is read only with pre_tokenizer.type ByteLevel (byte-level BPE, as RoBERTa); got Whitespace",
            Fails(plainBpe));

        var badMerge = Copy("roberta-json", f =>
        {
            var path = Path.Combine(f, "tokenizer.json");
            File.WriteAllText(path, File.ReadAllText(path).Replace("\"merges\": [", "\"merges\": [\n    \"abc\",", StringComparison.Ordinal));
        });
        Assert.Equal("tokenizer.json: model.merges[0] is not two symbols (\"left right\" or [\"left\", \"right\"])", Fails(badMerge));

        var otherNormalizer = Copy("wordpiece-json", f =>
        {
            var path = Path.Combine(f, "tokenizer.json");
            File.WriteAllText(path, File.ReadAllText(path).Replace("\"BertNormalizer\"", "\"NFKC\"", StringComparison.Ordinal));
        });
        Assert.StartsWith("tokenizer.json: normalizer.type is NFKC;", Fails(otherNormalizer));

        var garbage = Copy("xlmr", f => File.WriteAllBytes(Path.Combine(f, "sentencepiece.bpe.model"), [0xFF, 0xFF, 0xFF, 0x07]));
        Assert.StartsWith("sentencepiece.bpe.model: Microsoft.ML.Tokenizers cannot read this SentencePiece model (", Fails(garbage));
        // Families that share a file but not its ids or layout are refused by their tokenizer_class.
        string WithClass(string name, string tokenizerClass) =>
            Copy(name, f => File.WriteAllText(Path.Combine(f, "tokenizer_config.json"), $"{{\"tokenizer_class\": \"{tokenizerClass}\"}}"));
        Assert.Equal(
            "tokenizer_config.json: tokenizer_class T5Tokenizer is not supported with spiece.model, which is read as ALBERT (AlbertTokenizer); its ids or row layout would differ",
            Fails(WithClass("albert", "T5TokenizerFast")));
        Assert.StartsWith("tokenizer_config.json: tokenizer_class CamembertTokenizer is not supported with sentencepiece.bpe.model", Fails(WithClass("xlmr", "CamembertTokenizer")));
        Assert.StartsWith("tokenizer_config.json: tokenizer_class GPT2Tokenizer is not supported with vocab.json", Fails(WithClass("roberta", "GPT2Tokenizer")));
        Assert.StartsWith("tokenizer_config.json: tokenizer_class DebertaTokenizer is not supported with tokenizer.json", Fails(WithClass("roberta-json", "DebertaTokenizer")));

        // A WORD-type model (trainer_spec.model_type 3): Microsoft.ML.Tokenizers reads only BPE and Unigram.
        Assert.StartsWith("spiece.model: Microsoft.ML.Tokenizers cannot read this SentencePiece model (", Fails(Folder("sentencepiece-word")));
        var empty = Copy("albert", f => File.WriteAllBytes(Path.Combine(f, "spiece.model"), []));
        Assert.StartsWith("spiece.model: Microsoft.ML.Tokenizers cannot read this SentencePiece model (", Fails(empty));
    }
}
