using EarlyExit.Data.Datasets;
using EarlyExit.Data.Tokenization;
using FsCheck;
using FsCheck.Fluent;

namespace EarlyExit.Data.Tests.Tokenization;

// Expected ids are looked up in all-MiniLM-L6-v2's vocab.txt (id = line number − 1):
// [PAD]=0 [UNK]=100 [CLS]=101 [SEP]=102; !=999 $=1002 +=1009 ,=1010 <=1026 ==1027 [=1031 ]=1033
// a=1037 b=1038 c=1039 d=1040 e=1041 the=1996 ##s=2015 st=2358 ##i=2072 there=2045 world=2088
// ##y=2100 100=2531 ##5=2629 ##ble=3468 €=1574 hello=7592 cafe=7668 em=7861 istanbul=9960
// ##world=11108 x=1060 ecole=12431 resume=13746 una=14477 naive=15743 cl=18856 sep=19802
// ##ffa=20961 ##raße=27807 ##oj=29147 中=1746 文=1861. "Hello", "café", "##é" and "字" are not in it.
public sealed class TextTokenizerTests
{
    private static readonly TextTokenizer MiniLm = TextTokenizer.ForMiniLm();

    private static long[] Ids(TokenBatch batch, int row = 0) => batch.InputIdsOf(row)[..batch.Lengths.Span[row]].ToArray();

    [Fact]
    public void ForMiniLm_ExposesTheVocabularyAndSpecialIds()
    {
        Assert.Equal(30522, MiniLm.VocabularySize);
        Assert.Equal(0, MiniLm.PaddingId);
        Assert.Equal(100, MiniLm.UnknownId);
        Assert.Equal(101, MiniLm.ClassificationId);
        Assert.Equal(102, MiniLm.SeparatorId);
        Assert.Equal("hello", MiniLm.TokenOf(7592));
        Assert.Equal("[PAD]", MiniLm.TokenOf(0));
        Assert.Equal(new TokenizerOptions(), MiniLm.Options);
        Assert.Equal(128, MiniLm.Options.MaxLength);
    }

    [Fact]
    public void Encode_SingleText_AddsClsAndSepWithTypeZeroAndFullMask()
    {
        // [CLS] hello , world ! [SEP]
        var batch = MiniLm.Encode("Hello, World!");

        Assert.Equal(1, batch.BatchSize);
        Assert.Equal(6, batch.SequenceLength);
        Assert.Equal([101L, 7592, 1010, 2088, 999, 102], batch.InputIds.ToArray());
        Assert.Equal([0L, 0, 0, 0, 0, 0], batch.TokenTypeIds.ToArray());
        Assert.Equal([1L, 1, 1, 1, 1, 1], batch.AttentionMask.ToArray());
        Assert.Equal([6], batch.Lengths.ToArray());
    }

    [Fact]
    public void Encode_LowerCasesByDefault_AndKeepsCaseWhenAsked()
    {
        Assert.Equal([101L, 7592, 2088, 102], Ids(MiniLm.Encode("HELLO wOrLd")));

        // Cased, "Hello" is not in the uncased vocabulary: [CLS] [UNK] world [SEP].
        var cased = TextTokenizer.ForMiniLm(new TokenizerOptions { LowerCase = false });
        Assert.Equal([101L, 100, 2088, 102], Ids(cased.Encode("Hello world")));
    }

    [Fact]
    public void Encode_StripsAccentsEvenUnderInvariantGlobalization()
    {
        // café naïve résumé → cafe naive resume; ÉCOLE → ecole; İstanbul → istanbul;
        // Straße keeps ß (no decomposition): st ##raße.
        Assert.Equal([101L, 7668, 15743, 13746, 102], Ids(MiniLm.Encode("Café naïve résumé")));
        Assert.Equal([101L, 12431, 2358, 27807, 9960, 102], Ids(MiniLm.Encode("ÉCOLE Straße İstanbul")));

        // A decomposed accent (e + U+0301) is dropped too.
        Assert.Equal([101L, 7668, 102], Ids(MiniLm.Encode("cafe\u0301")));

        // Without stripping, "café" is caf + ##é, and ##é is not in the vocabulary: one [UNK].
        var keepAccents = TextTokenizer.ForMiniLm(new TokenizerOptions { StripAccents = false });
        Assert.Equal([101L, 100, 102], Ids(keepAccents.Encode("café")));
    }

    [Fact]
    public void Encode_KeepsAsciiSymbolsAndMapsWordsWithEmojiToUnknown()
    {
        // BERT splits every non-alphanumeric ASCII character off as a word: $ 100 + 5... and "€5"
        // (€ is a currency symbol, not punctuation) stays one word: € ##5.
        Assert.Equal([101L, 1002, 2531, 1009, 1026, 1027, 1574, 2629, 102], Ids(MiniLm.Encode("$100+<= €5")));

        // "hi😀" is one word with no match for its emoji: [UNK] there.
        Assert.Equal([101L, 100, 2045, 102], Ids(MiniLm.Encode("hi😀 there")));

        // "😀" alone: [UNK] em ##oj ##i.
        Assert.Equal([101L, 100, 7861, 29147, 2072, 102], Ids(MiniLm.Encode("😀 emoji")));
    }

    [Fact]
    public void Encode_DropsControlCharactersAndIsolatesCjk()
    {
        // NUL and the zero-width space (format) vanish, so "hello\0world\u200b!" is hello ##world !
        Assert.Equal([101L, 7592, 11108, 999, 102], Ids(MiniLm.Encode("hello\0world\u200b!")));

        // Each ideograph is a word: 中 文 [UNK] (字 is not in the vocabulary).
        Assert.Equal([101L, 1746, 1861, 100, 102], Ids(MiniLm.Encode("中文字")));

        // Bracketed special tokens in the text are plain text: [ sep ] [ cl ##s ].
        Assert.Equal([101L, 1031, 19802, 1033, 1031, 18856, 2015, 1033, 102], Ids(MiniLm.Encode("[SEP] [CLS]")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \t\n")]
    [InlineData("\0\u200b")]
    public void Encode_EmptyText_IsClsSep(string text)
    {
        var batch = MiniLm.Encode(text);

        Assert.Equal([101L, 102], batch.InputIds.ToArray());
        Assert.Equal([2], batch.Lengths.ToArray());
    }

    [Fact]
    public void Encode_Pair_SetsTypeOneForTheSecondSegmentAndItsSep()
    {
        // [CLS] hello world [SEP] the [SEP]
        var batch = MiniLm.Encode("hello world", "the");

        Assert.Equal([101L, 7592, 2088, 102, 1996, 102], batch.InputIds.ToArray());
        Assert.Equal([0L, 0, 0, 0, 1, 1], batch.TokenTypeIds.ToArray());
        Assert.Equal([1L, 1, 1, 1, 1, 1], batch.AttentionMask.ToArray());
    }

    [Fact]
    public void Encode_PairWithEmptySecond_HasTwoSeps()
    {
        // [CLS] a [SEP] [SEP]: the second segment is only its [SEP].
        var batch = MiniLm.Encode("a", "");

        Assert.Equal([101L, 1037, 102, 102], batch.InputIds.ToArray());
        Assert.Equal([0L, 0, 0, 1], batch.TokenTypeIds.ToArray());
    }

    [Fact]
    public void Encode_LongSingleText_KeepsTheFirstMaxLengthMinusTwoPieces()
    {
        // MaxLength 5: [CLS] a b c [SEP] — d and e are cut.
        var tokenizer = TextTokenizer.ForMiniLm(new TokenizerOptions { MaxLength = 5 });

        Assert.Equal([101L, 1037, 1038, 1039, 102], tokenizer.Encode("a b c d e").InputIds.ToArray());
    }

    [Fact]
    public void Encode_TruncationMayCutBetweenPiecesOfAWord()
    {
        // "unaffable" is una ##ffa ##ble; MaxLength 4 keeps [CLS] una ##ffa [SEP].
        var tokenizer = TextTokenizer.ForMiniLm(new TokenizerOptions { MaxLength = 4 });

        Assert.Equal([101L, 14477, 20961, 102], tokenizer.Encode("unaffable").InputIds.ToArray());
    }

    [Fact]
    public void Encode_VeryLongText_IsExactlyMaxLength()
    {
        // 100,000 words of "hello": 128 = [CLS] + 126 × hello + [SEP].
        var text = string.Join(' ', Enumerable.Repeat("hello", 100_000));

        var batch = MiniLm.Encode(text);

        Assert.Equal(128, batch.SequenceLength);
        Assert.Equal(101, batch.InputIds.Span[0]);
        Assert.Equal(102, batch.InputIds.Span[127]);
        Assert.All(batch.InputIds.ToArray()[1..127], id => Assert.Equal(7592L, id));
    }

    [Fact]
    public void Encode_LongPair_CutsTheLongerSegmentFirst()
    {
        // MaxLength 8 leaves 5 pieces for a (5) + b (2): a loses 2 → [CLS] a b c [SEP] d e [SEP].
        var tokenizer = TextTokenizer.ForMiniLm(new TokenizerOptions { MaxLength = 8 });

        var batch = tokenizer.Encode("a b c d e", "d e");

        Assert.Equal([101L, 1037, 1038, 1039, 102, 1040, 1041, 102], batch.InputIds.ToArray());
        Assert.Equal([0L, 0, 0, 0, 0, 1, 1, 1], batch.TokenTypeIds.ToArray());
    }

    [Fact]
    public void Encode_PairOfEqualLengths_CutsTheSecondOnATie()
    {
        // MaxLength 8, budget 5 for 3 + 3: the tie (3, 3) takes from b → (3, 2):
        // [CLS] a b c [SEP] c d [SEP].
        var tokenizer = TextTokenizer.ForMiniLm(new TokenizerOptions { MaxLength = 8 });

        Assert.Equal([101L, 1037, 1038, 1039, 102, 1039, 1040, 102], tokenizer.Encode("a b c", "c d e").InputIds.ToArray());
    }

    [Theory]
    [InlineData(5, 2, 5, 3, 2)]   // 7 > 5: the longer a loses 2
    [InlineData(2, 5, 5, 2, 3)]   // mirror: b loses 2
    [InlineData(3, 3, 5, 3, 2)]   // tie: b loses first
    [InlineData(10, 10, 5, 3, 2)] // (10,10) → … → (3,3) → (3,2)
    [InlineData(1, 2, 5, 1, 2)]   // fits: untouched
    [InlineData(0, 9, 5, 0, 5)]   // an empty first segment keeps nothing to lose
    public void TruncateLongestFirst_HandWorked(int first, int second, int budget, int expectedFirst, int expectedSecond) =>
        Assert.Equal((expectedFirst, expectedSecond), TextTokenizer.TruncateLongestFirst(first, second, budget));

    [Fact]
    public void TruncateLongestFirst_KeepsTheBudgetAndCutsOnlyTheLonger() =>
        Prop.ForAll(
            Gen.Choose(0, 300).ToArbitrary(),
            Gen.Choose(0, 300).ToArbitrary(),
            Gen.Choose(0, 200).ToArbitrary(),
            (first, second, budget) =>
            {
                var (a, b) = TextTokenizer.TruncateLongestFirst(first, second, budget);
                var sizeOk = a + b == Math.Min(first + second, budget) && a <= first && b <= second && a >= 0 && b >= 0;

                // A segment that lost tokens ended no shorter than the other (the second may end
                // one shorter, since ties cut the second).
                var firstOk = a == first || a >= b;
                var secondOk = b == second || b + 1 >= a;
                return sizeOk && firstOk && secondOk;
            }).QuickCheckThrowOnFailure();

    [Fact]
    public void Encode_IsClsPlusAPrefixOfTheUntruncatedPiecesPlusSep()
    {
        // Synthetic texts from words of 1–3 pieces, punctuation and accents: the bounded
        // encoder must give exactly the first MaxLength − 2 pieces of the whole text.
        string[] words = ["hello", "unaffable", "café", ",", "$", "world!", "😀", "中文", "the", "  "];
        var tokenizers = Enumerable.Range(0, 13).Select(n => n < TokenizerOptions.MinMaxLength ? null : TextTokenizer.ForMiniLm(new TokenizerOptions { MaxLength = n })).ToArray();
        var textGen = Gen.Elements(words).ListOf().Select(list => string.Join(" ", list));
        Prop.ForAll(
            textGen.ToArbitrary(),
            Gen.Choose(TokenizerOptions.MinMaxLength, 12).ToArbitrary(),
            (text, maxLength) =>
            {
                var tokenizer = tokenizers[maxLength]!;
                var pieces = MiniLm.WordPieceIds(text);
                long[] expected = [101, .. pieces.Take(maxLength - 2).Select(id => (long)id), 102];
                return tokenizer.Encode(text).InputIds.ToArray().SequenceEqual(expected);
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void EncodeBatch_PadsToTheLongestRowWithZeroMask()
    {
        // Rows: [CLS] hello world [SEP] (4) and [CLS] a [SEP] [PAD] (3 + 1 padding).
        var batch = MiniLm.EncodeBatch(["hello world", "a"]);

        Assert.Equal(2, batch.BatchSize);
        Assert.Equal(4, batch.SequenceLength);
        Assert.Equal([101L, 7592, 2088, 102, 101, 1037, 102, 0], batch.InputIds.ToArray());
        Assert.Equal([1L, 1, 1, 1, 1, 1, 1, 0], batch.AttentionMask.ToArray());
        Assert.Equal([0L, 0, 0, 0, 0, 0, 0, 0], batch.TokenTypeIds.ToArray());
        Assert.Equal([4, 3], batch.Lengths.ToArray());
        Assert.Equal([101L, 1037, 102, 0], batch.InputIdsOf(1).ToArray());
    }

    [Fact]
    public void EncodeBatch_MixesPairsAndSingles_PaddingHasTypeZero()
    {
        // Row 0: [CLS] hello [SEP] the [SEP] (types 0 0 0 1 1); row 1: [CLS] a [SEP] + 2 padding.
        var batch = MiniLm.EncodeBatch(["hello", "a"], ["the", null]);

        Assert.Equal([101L, 7592, 102, 1996, 102, 101, 1037, 102, 0, 0], batch.InputIds.ToArray());
        Assert.Equal([0L, 0, 0, 1, 1, 0, 0, 0, 0, 0], batch.TokenTypeIds.ToArray());
        Assert.Equal([1L, 1, 1, 1, 1, 1, 1, 1, 0, 0], batch.AttentionMask.ToArray());
    }

    [Fact]
    public void EncodeBatch_PadToMaxLength_UsesTheFixedWidth()
    {
        var tokenizer = TextTokenizer.ForMiniLm(new TokenizerOptions { MaxLength = 6, PadToMaxLength = true });

        var batch = tokenizer.EncodeBatch(["hello", "a b"]);

        // [CLS] hello [SEP] + 3 padding; [CLS] a b [SEP] + 2 padding.
        Assert.Equal(6, batch.SequenceLength);
        Assert.Equal([101L, 7592, 102, 0, 0, 0, 101, 1037, 1038, 102, 0, 0], batch.InputIds.ToArray());
        Assert.Equal([1L, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0], batch.AttentionMask.ToArray());
        Assert.Equal([3, 4], batch.Lengths.ToArray());
    }

    [Fact]
    public void EncodeBatch_RowsEqualTheirSingleEncodings() =>
        Prop.ForAll(
            Gen.Elements("hello world", "a", "", "unaffable café", "$5!").ArrayOf().Where(a => a.Length > 0).ToArbitrary(),
            texts =>
            {
                var batch = MiniLm.EncodeBatch(texts);
                return texts.Select((t, r) => Ids(batch, r).SequenceEqual(MiniLm.Encode(t).InputIds.ToArray())).All(ok => ok)
                    && batch.SequenceLength == texts.Max(t => MiniLm.Encode(t).SequenceLength);
            }).QuickCheckThrowOnFailure();

    [Fact]
    public void EncodeRow_IsTheUnpaddedRow()
    {
        // [CLS] hello [SEP] the [SEP], types 0 0 0 1 1.
        var row = MiniLm.EncodeRow("hello", "the");

        Assert.Equal(5, row.Length);
        Assert.Equal([101L, 7592, 102, 1996, 102], row.InputIds.ToArray());
        Assert.Equal([0L, 0, 0, 1, 1], row.TokenTypeIds.ToArray());
        Assert.Equal([101L, 1037, 102], MiniLm.EncodeRow("a").InputIds.ToArray());
    }

    [Fact]
    public void Collate_OfEncodedRows_EqualsEncodeBatchOfTheirTexts()
    {
        string longText = string.Join(' ', Enumerable.Repeat("unaffable", 40));
        var padded = TextTokenizer.ForMiniLm(new TokenizerOptions { MaxLength = 16, PadToMaxLength = true });
        Prop.ForAll(
            Gen.Elements<(string, string?)>(("hello world", null), ("a", "the"), ("", null), ("unaffable café", ""), (longText, null), (longText, "hello " + longText))
                .ArrayOf().Where(a => a.Length > 0).ToArbitrary(),
            rows => new[] { MiniLm, padded }.All(tokenizer =>
                tokenizer.Collate([.. rows.Select(r => tokenizer.EncodeRow(r.Item1, r.Item2))])
                == tokenizer.EncodeBatch([.. rows.Select(r => r.Item1)], [.. rows.Select(r => r.Item2)])))
            .QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Collate_RejectsNoRowsAndRowsLongerThanItsMaxLength()
    {
        var fourTokens = TextTokenizer.ForMiniLm(new TokenizerOptions { MaxLength = 4 });

        Assert.Contains("got 0", Assert.Throws<ArgumentException>(() => MiniLm.Collate([])).Message);
        var error = Assert.Throws<ArgumentException>(() => fourTokens.Collate([fourTokens.EncodeRow("a"), MiniLm.EncodeRow("a b c")]));
        Assert.StartsWith("rows[1] has 5 tokens; this tokenizer's MaxLength is 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EncodeExamples_UsesTextAndPair()
    {
        TextExample[] examples = [new("hello", "the", 0), new("a", null, 1)];

        Assert.Equal(MiniLm.EncodeBatch(["hello", "a"], ["the", null]), MiniLm.EncodeExamples(examples));
        Assert.Equal(MiniLm.EncodeBatch(["a"]), MiniLm.EncodeExamples([new TextExample("a", null, 0)]));
    }

    [Fact]
    public void Batches_WithTheSameContent_AreEqual()
    {
        Assert.Equal(MiniLm.EncodeBatch(["hello", "world"]), MiniLm.EncodeBatch(["hello", "world"]));
        Assert.NotEqual(MiniLm.EncodeBatch(["hello", "world"]), MiniLm.EncodeBatch(["hello", "hello"]));
    }

    [Fact]
    public void Create_RejectsATooShortMaxLength_NamingTheValue()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => TextTokenizer.ForMiniLm(new TokenizerOptions { MaxLength = 2 }));

        Assert.Equal("MaxLength", error.ParamName);
        Assert.Contains("at least 3", error.Message);
        Assert.Contains("got 2", error.Message);
    }

    [Fact]
    public void EncodeBatch_RejectsBadArguments()
    {
        Assert.Contains("got 0", Assert.Throws<ArgumentException>(() => MiniLm.EncodeBatch([])).Message);
        Assert.Contains("(2); got 1", Assert.Throws<ArgumentException>(() => MiniLm.EncodeBatch(["a", "b"], ["c"])).Message);
        Assert.Contains("texts[1]", Assert.Throws<ArgumentNullException>(() => MiniLm.EncodeBatch(["a", null!])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => MiniLm.Encode("a").InputIdsOf(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => MiniLm.TokenOf(30522));
    }

    [Fact]
    public void Create_FromAnyVocabulary_UsesItsIds()
    {
        // A synthetic 8-entry vocabulary: ids are line numbers − 1, and CRLF line ends are fine.
        var vocab = "[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\n[MASK]\r\nhi\r\n##ya\r\n!\r\n"u8.ToArray();
        var tokenizer = TextTokenizer.Create(new MemoryStream(vocab));

        // [CLS]=2 hi=5 ##ya=6 !=7 [SEP]=3, then "zz" is [UNK]=1.
        Assert.Equal([2L, 5, 6, 7, 1, 3], tokenizer.Encode("Hiya! zz").InputIds.ToArray());
        Assert.Equal(8, tokenizer.VocabularySize);
    }
}
