using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace EarlyExit.Data.Tokenization;

/// <summary>
/// Reads a local Hugging Face tokenizer folder into a <see cref="TextTokenizer"/> (see
/// <see cref="TextTokenizer.FromFolder"/> and docs/tokenizers.md). Which files decide the kind, in
/// this order: <c>vocab.txt</c> (WordPiece); <c>sentencepiece.bpe.model</c> (SentencePiece, XLM-R);
/// <c>spiece.model</c> (SentencePiece, ALBERT); <c>vocab.json</c> or <c>merges.txt</c> (byte-level
/// BPE, RoBERTa); <c>tokenizer.json</c> alone (WordPiece only).
/// </summary>
public static class TokenizerFolder
{
    /// <summary>
    /// The longest row a folder's <c>model_max_length</c> can ask for (512, the position embeddings
    /// of BERT, RoBERTa, XLM-R and ALBERT). HF writes a huge number (1e30) for "no limit"; that,
    /// a missing value and anything larger become 512. The <c>maxLength</c> argument is not capped.
    /// </summary>
    public const int MaxModelLength = 512;

    internal const string VocabTxt = "vocab.txt";

    // GPT-2's pre-tokenization pattern, which RoBERTa's tokenizer uses too.
    private static readonly System.Text.RegularExpressions.Regex Gpt2Split = new(
        @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+",
        System.Text.RegularExpressions.RegexOptions.Compiled | System.Text.RegularExpressions.RegexOptions.CultureInvariant);
    internal const string VocabJson = "vocab.json";
    internal const string MergesTxt = "merges.txt";
    internal const string XlmRobertaModel = "sentencepiece.bpe.model";
    internal const string AlbertModel = "spiece.model";
    internal const string TokenizerJson = "tokenizer.json";
    internal const string ConfigJson = "tokenizer_config.json";
    internal const string SpecialTokensJson = "special_tokens_map.json";

    /// <summary>Reads <paramref name="folder"/>; see <see cref="TextTokenizer.FromFolder"/>.</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="maxLength">The most tokens in a row, or <see langword="null"/> for the folder's (capped) <c>model_max_length</c>.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="folder"/> is null.</exception>
    /// <param name="padToMaxLength">Pad every batch to the maximum length (<see cref="TokenizerOptions.PadToMaxLength"/>); default false.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is too small.</exception>
    /// <exception cref="TokenizerFolderException">A file is missing or malformed, or cannot be built.</exception>
    public static TextTokenizer Read(string folder, int? maxLength = null, bool padToMaxLength = false)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return new Reader(folder, padToMaxLength).Read(maxLength);
    }

    private sealed class Reader
    {
        private readonly string _folder;
        private readonly bool _padToMaxLength;
        private readonly List<string> _files = [];
        private JsonElement? _config;
        private JsonElement? _specialMap;

        internal Reader(string folder, bool padToMaxLength)
        {
            _folder = folder;
            _padToMaxLength = padToMaxLength;
        }

        internal TextTokenizer Read(int? maxLength)
        {
            if (!Directory.Exists(_folder))
            {
                throw Fail("the folder does not exist");
            }

            // Which files the folder has decides the kind, before any is read.
            string kindFile =
                Has(VocabTxt) ? VocabTxt
                : Has(XlmRobertaModel) ? XlmRobertaModel
                : Has(AlbertModel) ? AlbertModel
                : Has(VocabJson) || Has(MergesTxt) ? VocabJson
                : Has(TokenizerJson) ? TokenizerJson
                : throw Fail($"no tokenizer files found (looked for {VocabTxt}, {XlmRobertaModel}, {AlbertModel}, {VocabJson} + {MergesTxt}, {TokenizerJson})");

            _config = ReadJsonIfPresent(ConfigJson);
            _specialMap = ReadJsonIfPresent(SpecialTokensJson);
            var length = maxLength ?? ModelMaxLength();

            return kindFile switch
            {
                VocabTxt => WordPieceFromVocabTxt(length),
                TokenizerJson => FromTokenizerJson(length),
                VocabJson => ByteLevelBpe(length),
                _ => SentencePiece(kindFile, length),
            };
        }

        // ---- WordPiece ----

        private TextTokenizer WordPieceFromVocabTxt(int maxLength)
        {
            var bytes = ReadBytes(VocabTxt, "a WordPiece tokenizer needs vocab.txt");
            var tokens = new List<string>();
            using (var reader = new StreamReader(new MemoryStream(bytes)))
            {
                while (reader.ReadLine() is { } line)
                {
                    tokens.Add(line);
                }
            }

            if (tokens.Count == 0)
            {
                throw Fail($"{VocabTxt} is empty (a WordPiece vocabulary has one token a line)");
            }

            var (lower, strip, chinese) = WordPieceCasing(normalizer: null);
            return BuildWordPiece(tokens, lower, strip, chinese, maxLength, VocabTxt);
        }

        private TextTokenizer FromTokenizerJson(int maxLength)
        {
            var json = ReadJson(TokenizerJson, "no other tokenizer file, so tokenizer.json is the vocabulary");
            var model = Field(json, "model", TokenizerJson);
            var type = model.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            return type switch
            {
                "WordPiece" => WordPieceFromTokenizerJson(json, model, maxLength),
                "BPE" => ByteLevelBpeFromTokenizerJson(json, model, maxLength),
                _ => throw Fail($"{TokenizerJson}: model.type is {type ?? "missing"}; only a WordPiece or byte-level BPE tokenizer.json is read "
                    + $"(for SentencePiece put {XlmRobertaModel} or {AlbertModel} in the folder)"),
            };
        }

        // RoBERTa-style tokenizer.json: model BPE, pre_tokenizer ByteLevel; vocab and merges inline.
        private TextTokenizer ByteLevelBpeFromTokenizerJson(JsonElement json, JsonElement model, int maxLength)
        {
            var pre = json.TryGetProperty("pre_tokenizer", out var p) ? p : default;
            var preType = pre.ValueKind == JsonValueKind.Object && pre.TryGetProperty("type", out var pt) ? pt.GetString() : null;
            if (preType != "ByteLevel")
            {
                throw Fail($"{TokenizerJson}: a BPE model is read only with pre_tokenizer.type ByteLevel (byte-level BPE, as RoBERTa); got {preType ?? "none"}");
            }

            var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
            var vocabJson = Field(model, "vocab", TokenizerJson, "model.vocab");
            if (vocabJson.ValueKind != JsonValueKind.Object)
            {
                throw Fail($"{TokenizerJson}: model.vocab is not an object of token → id");
            }

            foreach (var entry in vocabJson.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id))
                {
                    throw Fail($"{TokenizerJson}: model.vocab[\"{entry.Name}\"] is not an integer id");
                }

                vocab[entry.Name] = id;
            }

            // model.merges: "left right" strings (older files) or ["left", "right"] pairs (newer).
            var mergesJson = Field(model, "merges", TokenizerJson, "model.merges");
            if (mergesJson.ValueKind != JsonValueKind.Array)
            {
                throw Fail($"{TokenizerJson}: model.merges is not an array");
            }

            var merges = new List<string>();
            var index = 0;
            foreach (var merge in mergesJson.EnumerateArray())
            {
                var line = merge.ValueKind switch
                {
                    JsonValueKind.String => merge.GetString(),
                    JsonValueKind.Array when merge.GetArrayLength() == 2 && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String
                        => $"{merge[0].GetString()} {merge[1].GetString()}",
                    _ => null,
                };
                if (line is null || line.Split(' ') is not [{ Length: > 0 }, { Length: > 0 }])
                {
                    throw Fail($"{TokenizerJson}: model.merges[{index}] is not two symbols (\"left right\" or [\"left\", \"right\"])");
                }

                merges.Add(line);
                index++;
            }

            var addPrefixSpace = ConfigBool("add_prefix_space") ?? JsonBool(pre, "add_prefix_space", TokenizerJson, "pre_tokenizer.add_prefix_space") ?? false;
            return ByteLevelBpeCore(vocab, merges, addPrefixSpace, TokenizerJson, maxLength);
        }

        private TextTokenizer WordPieceFromTokenizerJson(JsonElement json, JsonElement model, int maxLength)
        {

            if (model.TryGetProperty("continuing_subword_prefix", out var prefix) && prefix.ValueKind == JsonValueKind.String && prefix.GetString() != "##")
            {
                throw Fail($"{TokenizerJson}: model.continuing_subword_prefix is \"{prefix.GetString()}\"; Microsoft.ML.Tokenizers' BertTokenizer takes only \"##\"");
            }

            var vocab = Field(model, "vocab", TokenizerJson, "model.vocab");
            if (vocab.ValueKind != JsonValueKind.Object)
            {
                throw Fail($"{TokenizerJson}: model.vocab is not an object of token → id");
            }

            var byId = new SortedDictionary<int, string>();
            foreach (var entry in vocab.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id) || id < 0)
                {
                    throw Fail($"{TokenizerJson}: model.vocab[\"{entry.Name}\"] is not a non-negative integer id");
                }

                if (!byId.TryAdd(id, entry.Name))
                {
                    throw Fail($"{TokenizerJson}: model.vocab has id {id} twice (\"{byId[id]}\", \"{entry.Name}\")");
                }
            }

            if (byId.Count == 0 || byId.Keys.Last() != byId.Count - 1)
            {
                throw Fail($"{TokenizerJson}: model.vocab ids must be 0 to {byId.Count - 1} without gaps");
            }

            if (byId.Values.Any(token => token.Contains('\n') || token.Contains('\r')))
            {
                throw Fail($"{TokenizerJson}: model.vocab has a token with a line break, which a WordPiece vocabulary cannot hold");
            }

            json.TryGetProperty("normalizer", out var normalizer);
            var (lower, strip, chinese) = WordPieceCasing(normalizer);
            return BuildWordPiece([.. byId.Values], lower, strip, chinese, maxLength, TokenizerJson);
        }

        // do_lower_case / strip_accents / tokenize_chinese_chars from tokenizer_config.json, else
        // tokenizer.json's BertNormalizer, else BERT's defaults (lower-case; strip accents when lower-casing).
        private (bool Lower, bool Strip, bool Chinese) WordPieceCasing(JsonElement? normalizer)
        {
            bool? lower = ConfigBool("do_lower_case"), strip = ConfigBool("strip_accents"), chinese = ConfigBool("tokenize_chinese_chars");
            if (normalizer is { ValueKind: JsonValueKind.Object } n)
            {
                var type = n.TryGetProperty("type", out var t) ? t.GetString() : null;
                if (type != "BertNormalizer")
                {
                    throw Fail($"{TokenizerJson}: normalizer.type is {type ?? "missing"}; a WordPiece tokenizer.json is read only with a BertNormalizer (or none)");
                }

                lower ??= JsonBool(n, "lowercase", TokenizerJson, "normalizer.lowercase");
                strip ??= JsonBool(n, "strip_accents", TokenizerJson, "normalizer.strip_accents");
                chinese ??= JsonBool(n, "handle_chinese_chars", TokenizerJson, "normalizer.handle_chinese_chars");
            }

            var lowerCase = lower ?? true;
            return (lowerCase, strip ?? lowerCase, chinese ?? true);
        }

        private TextTokenizer BuildWordPiece(List<string> tokens, bool lower, bool strip, bool chinese, int maxLength, string vocabFile)
        {
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < tokens.Count; i++)
            {
                index.TryAdd(tokens[i], i);
            }

            // MPNet (e.g. all-mpnet-base-v2) has a WordPiece vocab.txt but RoBERTa's layout and tokens.
            var mpnet = TokenizerClass() == "MPNetTokenizer";
            var cls = SpecialToken("cls_token", mpnet ? "<s>" : "[CLS]");
            var sep = SpecialToken("sep_token", mpnet ? "</s>" : "[SEP]");
            var pad = SpecialToken("pad_token", mpnet ? "<pad>" : "[PAD]");
            var unk = SpecialToken("unk_token", "[UNK]");
            int IdOf(string token, string key) =>
                index.TryGetValue(token, out var id) ? id : throw Fail($"{key} \"{token}\" is not in {vocabFile}");
            var special = new TextTokenizer.SpecialIds(IdOf(cls, "cls_token"), IdOf(sep, "sep_token"), IdOf(pad, "pad_token"), IdOf(unk, "unk_token"));

            var vocabText = string.Join('\n', tokens) + "\n";
            BertTokenizer bert;
            try
            {
                bert = BertTokenizer.Create(new MemoryStream(Encoding.UTF8.GetBytes(vocabText)), new BertOptions
                {
                    ApplyBasicTokenization = false,
                    LowerCaseBeforeTokenization = false,
                    SplitOnSpecialTokens = false,
                    UnknownToken = unk,
                    ClassificationToken = cls,
                    SeparatorToken = sep,
                    PaddingToken = pad,
                    MaskingToken = SpecialTokenOrNull("mask_token") is { } mask && index.ContainsKey(mask) ? mask : tokens[0],
                });
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
            {
                throw Fail($"{vocabFile}: Microsoft.ML.Tokenizers' BertTokenizer refused it: {e.Message}", e);
            }

            var options = new TokenizerOptions { MaxLength = maxLength, PadToMaxLength = _padToMaxLength, LowerCase = lower, StripAccents = strip };
            return TextTokenizer.FromWordPieceVocabulary(bert, [.. tokens], options, chinese, Files(), special, mpnet ? TokenizerLayout.Roberta : TokenizerLayout.Bert);
        }

        // ---- byte-level BPE ----

        private TextTokenizer ByteLevelBpe(int maxLength)
        {
            const string need = "a byte-level BPE tokenizer needs vocab.json and merges.txt";
            var vocabBytes = ReadBytes(VocabJson, need);
            var mergesBytes = ReadBytes(MergesTxt, need);

            Dictionary<string, int> vocab;
            try
            {
                vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(vocabBytes)
                    ?? throw Fail($"{VocabJson} is null, not an object of token → id");
            }
            catch (JsonException e)
            {
                throw Fail($"{VocabJson} is not an object of token → integer id (line {e.LineNumber + 1}: {e.Message})", e);
            }

            return ByteLevelBpeCore(vocab, MergeLines(mergesBytes), ConfigBool("add_prefix_space") ?? false, VocabJson, maxLength);
        }

        // A byte-level BPE tokenizer from its vocabulary and merges ("left right"), however read.
        private TextTokenizer ByteLevelBpeCore(Dictionary<string, int> vocab, List<string> merges, bool addPrefixSpace, string vocabFile, int maxLength)
        {
            // GPT-2 (no [CLS]/[SEP] at all) and DeBERTa ([CLS] a [SEP] b [SEP], types 0/1) share the files.
            RequireClass(vocabFile, "RoBERTa-style byte-level BPE", "RobertaTokenizer", "LongformerTokenizer", "BartTokenizer");
            var cls = SpecialTokenOrNull("cls_token") ?? SpecialToken("bos_token", "<s>");
            var sep = SpecialTokenOrNull("sep_token") ?? SpecialToken("eos_token", "</s>");
            var pad = SpecialToken("pad_token", "<pad>");
            var unk = SpecialToken("unk_token", "<unk>");
            int IdOf(string token, string key) =>
                vocab.TryGetValue(token, out var id) ? id : throw Fail($"{key} \"{token}\" is not in {vocabFile}");
            var special = new TextTokenizer.SpecialIds(IdOf(cls, "cls_token"), IdOf(sep, "sep_token"), IdOf(pad, "pad_token"), IdOf(unk, "unk_token"));

            BpeTokenizer bpe;
            try
            {
                // BPE with byte-level input (GPT-2's byte → symbol map) and GPT-2's pre-tokenizer:
                // what RoBERTa's tokenizer does. (CodeGenTokenizer would do too, but its Create
                // insists on CodeGen's <|endoftext|> as the unknown token.)
                bpe = BpeTokenizer.Create(new BpeOptions(vocab)
                {
                    Merges = merges,
                    ByteLevel = true,
                    PreTokenizer = new RegexPreTokenizer(Gpt2Split, null),
                    UnknownToken = unk,
                });
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or KeyNotFoundException)
            {
                throw Fail($"{(vocabFile == VocabJson ? $"{VocabJson} / {MergesTxt}" : vocabFile)}: Microsoft.ML.Tokenizers' BpeTokenizer refused them: {e.Message}", e);
            }

            var size = vocab.Count == 0 ? 0 : vocab.Values.Max() + 1;
            var byId = new string?[size];
            foreach (var (token, id) in vocab)
            {
                if (id < 0)
                {
                    throw Fail($"{vocabFile}: \"{token}\" has the negative id {id}");
                }

                byId[id] = token;
            }

            var options = new TokenizerOptions { MaxLength = maxLength, PadToMaxLength = _padToMaxLength, LowerCase = false, StripAccents = false };
            return TextTokenizer.Build(new ByteLevelBpeEncoder(bpe, byId, addPrefixSpace), options, TokenizerKind.ByteLevelBpe, TokenizerLayout.Roberta, special, Files());
        }

        // merges.txt: an optional "#version" line, then "left right" pairs, one a line.
        private List<string> MergeLines(byte[] merges)
        {
            var lines = new List<string>();
            using var reader = new StreamReader(new MemoryStream(merges));
            var number = 0;
            while (reader.ReadLine() is { } line)
            {
                number++;
                if ((number == 1 && line.StartsWith("#version", StringComparison.Ordinal)) || line.Length == 0)
                {
                    continue;
                }

                if (line.Split(' ') is not [{ Length: > 0 }, { Length: > 0 }])
                {
                    throw Fail($"{MergesTxt} line {number}: expected two symbols separated by one space, got \"{line}\"");
                }

                lines.Add(line);
            }

            return lines;
        }

        // ---- SentencePiece ----

        private TextTokenizer SentencePiece(string modelFile, int maxLength)
        {
            var xlmr = modelFile == XlmRobertaModel;
            if (xlmr)
            {
                // CamemBERT and mBART ship a sentencepiece.bpe.model too, with other id offsets.
                RequireClass(modelFile, "XLM-R", "XLMRobertaTokenizer");
            }
            else
            {
                // T5 and XLNet ship a spiece.model too, with other special tokens and layouts.
                RequireClass(modelFile, "ALBERT", "AlbertTokenizer");
            }

            var bytes = ReadBytes(modelFile, "a SentencePiece tokenizer needs its .model file");
            SentencePieceTokenizer spm;
            try
            {
                spm = SentencePieceTokenizer.Create(new MemoryStream(bytes), false, false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw Fail($"{modelFile}: Microsoft.ML.Tokenizers cannot read this SentencePiece model ({e.GetType().Name}: {e.Message})", e);
            }

            var pieces = spm.Vocabulary;
            var spmSize = pieces.Count == 0 ? 0 : pieces.Values.Max() + 1;
            string?[] byId;
            Func<int, int> mapId;
            TextTokenizer.SpecialIds special;
            bool lower = false, strip = false;
            if (xlmr)
            {
                // HF's XLMRobertaTokenizer: fairseq's <s>=0 <pad>=1 </s>=2 <unk>=3, every spm id + 1
                // (spm's own <unk>, id 0, becomes 3), and <mask> after the last piece.
                const int offset = 1;
                byId = new string?[spmSize + offset + 1];
                foreach (var (piece, id) in pieces)
                {
                    byId[id + offset] = piece;
                }

                (byId[0], byId[1], byId[2], byId[3]) = ("<s>", "<pad>", "</s>", "<unk>");
                byId[^1] = "<mask>";
                var unknown = spm.UnknownId;
                mapId = id => id == unknown ? 3 : id + offset;
                int IdOf(string token, string key) =>
                    token switch { "<s>" => 0, "<pad>" => 1, "</s>" => 2, "<unk>" => 3, "<mask>" => byId.Length - 1, _ => pieces.TryGetValue(token, out var id) ? id + offset : throw Fail($"{key} \"{token}\" is not a piece of {modelFile}") };
                special = new TextTokenizer.SpecialIds(
                    IdOf(SpecialTokenOrNull("cls_token") ?? SpecialToken("bos_token", "<s>"), "cls_token"),
                    IdOf(SpecialTokenOrNull("sep_token") ?? SpecialToken("eos_token", "</s>"), "sep_token"),
                    IdOf(SpecialToken("pad_token", "<pad>"), "pad_token"),
                    IdOf(SpecialToken("unk_token", "<unk>"), "unk_token"));
            }
            else
            {
                // ALBERT: ids as in the model; do_lower_case (default true) and keep_accents (default false).
                byId = new string?[spmSize];
                foreach (var (piece, id) in pieces)
                {
                    byId[id] = piece;
                }

                mapId = id => id;
                int IdOf(string token, string key) =>
                    pieces.TryGetValue(token, out var id) ? id : throw Fail($"{key} \"{token}\" is not a piece of {modelFile}");
                special = new TextTokenizer.SpecialIds(
                    IdOf(SpecialToken("cls_token", "[CLS]"), "cls_token"),
                    IdOf(SpecialToken("sep_token", "[SEP]"), "sep_token"),
                    IdOf(SpecialToken("pad_token", "<pad>"), "pad_token"),
                    IdOf(SpecialToken("unk_token", "<unk>"), "unk_token"));
                lower = ConfigBool("do_lower_case") ?? true;
                strip = !(ConfigBool("keep_accents") ?? false);
            }

            var options = new TokenizerOptions { MaxLength = maxLength, PadToMaxLength = _padToMaxLength, LowerCase = lower, StripAccents = strip };
            var encoder = new SentencePieceEncoder(spm, byId, mapId, lower, strip);
            return TextTokenizer.Build(encoder, options, TokenizerKind.SentencePiece, xlmr ? TokenizerLayout.Roberta : TokenizerLayout.Bert, special, Files());
        }

        // ---- shared ----

        private int ModelMaxLength()
        {
            if (_config is not { } config || !config.TryGetProperty("model_max_length", out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return MaxModelLength;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || number < 1 || number != Math.Floor(number))
            {
                throw Fail($"{ConfigJson}: model_max_length is {value.GetRawText()}, not a positive integer");
            }

            return number >= MaxModelLength ? MaxModelLength : (int)number;
        }

        // special_tokens_map.json over tokenizer_config.json (as HF loads them); a value is a string
        // or an AddedToken object {"content": ...}.
        private string SpecialToken(string key, string fallback) => SpecialTokenOrNull(key) ?? fallback;

        private string? SpecialTokenOrNull(string key)
        {
            foreach (var (json, file) in new[] { (_specialMap, SpecialTokensJson), (_config, ConfigJson) })
            {
                if (json is not { } j || !j.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                if (value.ValueKind == JsonValueKind.String)
                {
                    return value.GetString();
                }

                if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                {
                    return content.GetString();
                }

                throw Fail($"{file}: {key} is neither a string nor an object with a string \"content\"");
            }

            return null;
        }

        // tokenizer_config.json's tokenizer_class without "Fast" (BertTokenizerFast → BertTokenizer); null when absent.
        private string? TokenizerClass()
        {
            if (_config is not { } c || !c.TryGetProperty("tokenizer_class", out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            var name = value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Fail($"{ConfigJson}: tokenizer_class is not a string");
            return name.EndsWith("Fast", StringComparison.Ordinal) ? name[..^4] : name;
        }

        // Files such as spiece.model serve several families whose ids or layouts differ (ALBERT,
        // T5, XLNet): a tokenizer_class outside the family this reader builds is refused.
        private void RequireClass(string file, string builds, params string[] allowed)
        {
            if (TokenizerClass() is { } name && !allowed.Contains(name, StringComparer.Ordinal))
            {
                throw Fail($"{ConfigJson}: tokenizer_class {name} is not supported with {file}, which is read as {builds} ({string.Join(", ", allowed)}); "
                    + "its ids or row layout would differ");
            }
        }

        private bool? ConfigBool(string key) => _config is { } c ? JsonBool(c, key, ConfigJson, key) : null;

        private bool? JsonBool(JsonElement json, string key, string file, string field)
        {
            if (!json.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Fail($"{file}: {field} is {value.GetRawText()}, not true, false or null"),
            };
        }

        private JsonElement Field(JsonElement json, string name, string file, string? field = null) =>
            json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value)
                ? value
                : throw Fail($"{file}: {field ?? name} is missing");

        private bool Has(string name) => File.Exists(Path.Combine(_folder, name));

        private byte[] ReadBytes(string name, string why)
        {
            var path = Path.Combine(_folder, name);
            if (!File.Exists(path))
            {
                throw Fail($"{name} not found ({why})");
            }

            try
            {
                var bytes = File.ReadAllBytes(path);
                _files.Add(name);
                return bytes;
            }
            catch (IOException e)
            {
                throw Fail($"{name} could not be read: {e.Message}", e);
            }
            catch (UnauthorizedAccessException e)
            {
                throw Fail($"{name} could not be read: {e.Message}", e);
            }
        }

        private JsonElement ReadJson(string name, string why)
        {
            var bytes = ReadBytes(name, why);
            try
            {
                using var document = JsonDocument.Parse(bytes);
                var root = document.RootElement.Clone();
                return root.ValueKind == JsonValueKind.Object ? root : throw Fail($"{name} is not a JSON object");
            }
            catch (JsonException e)
            {
                throw Fail($"{name} is not valid JSON (line {e.LineNumber + 1}: {e.Message})", e);
            }
        }

        private JsonElement? ReadJsonIfPresent(string name) => Has(name) ? ReadJson(name, "") : null;

        private IReadOnlyList<string> Files() => [.. _files];

        private TokenizerFolderException Fail(string problem, Exception? inner = null) => new(_folder, problem, inner);
    }
}
