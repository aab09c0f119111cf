using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EarlyExit.Core.IO;
using EarlyExit.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Import;

/// <summary>
/// Imports a local Hugging Face model folder (bert, distilbert, roberta, xlm-roberta, electra,
/// albert) into the one <see cref="MultiExitEncoder"/>, and writes one back as a
/// <c>*ForSequenceClassification</c> folder. See docs/models.md for what maps where and what is refused.
/// </summary>
public static class HuggingFaceModel
{
    /// <summary>The weights file of a single-file checkpoint, and of an export.</summary>
    public const string WeightsFileName = "model.safetensors";

    /// <summary>The index of a sharded safetensors checkpoint (its <c>weight_map</c> names each key's file).</summary>
    public const string ShardIndexFileName = "model.safetensors.index.json";

    /// <summary>A PyTorch pickle checkpoint, read when no safetensors file is present.</summary>
    public const string PickleFileName = "pytorch_model.bin";

    /// <summary>Our internal exit heads (keys <c>exits.k.*</c>), which a Hugging Face model has no place for.</summary>
    public const string ExitHeadsFileName = "exit_heads.safetensors";

    /// <summary>What <see cref="ExitHeadsFileName"/>'s heads are beyond their weights (their pooling), written beside it.</summary>
    public const string ExitHeadsConfigFileName = "exit_heads.json";

    /// <summary>The config file.</summary>
    public const string ConfigFileName = "config.json";

    private static readonly Dictionary<string, EncoderArchitecture> ModelTypes = new(StringComparer.Ordinal)
    {
        ["bert"] = EncoderArchitecture.Bert,
        ["distilbert"] = EncoderArchitecture.DistilBert,
        ["roberta"] = EncoderArchitecture.Roberta,
        ["xlm-roberta"] = EncoderArchitecture.XlmRoberta,
        ["electra"] = EncoderArchitecture.Electra,
        ["albert"] = EncoderArchitecture.Albert,
    };

    /// <summary>The <c>model_type</c> values <see cref="Load"/> accepts.</summary>
    public static IReadOnlyList<string> SupportedModelTypes { get; } = [.. ModelTypes.Keys];

    /// <summary>Loads a Hugging Face model folder.</summary>
    /// <param name="folder">Holds config.json and model.safetensors, a sharded index, or pytorch_model.bin (and, from <see cref="Write"/>, exit_heads.safetensors).</param>
    /// <param name="options">How to build the heads the folder lacks; null for the defaults.</param>
    /// <returns>The model in eval mode with the folder's weights; new heads seeded from <see cref="HuggingFaceImportOptions.Seed"/>.</returns>
    /// <exception cref="HuggingFaceFolderException">The folder cannot be imported; a one-line message names the file and key.</exception>
    public static ImportedModel Load(string folder, HuggingFaceImportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        options ??= new HuggingFaceImportOptions();
        Exception Fail(string message) => new HuggingFaceFolderException(folder, message);

        string configPath = Path.Combine(folder, ConfigFileName);
        if (!File.Exists(configPath)) throw Fail($"{configPath} not found: a Hugging Face model folder needs its config.json");
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(configPath)) as JsonObject ?? throw Fail($"{configPath} is not a JSON object");
        }
        catch (JsonException e)
        {
            throw Fail($"{configPath} is not valid JSON: {e.Message.ReplaceLineEndings(" ")}");
        }
        var config = new ConfigReader(json, configPath, Fail);
        string modelType = config.String("model_type") ?? throw Fail($"{configPath} has no model_type; supported: {string.Join(", ", SupportedModelTypes)}");
        if (!ModelTypes.TryGetValue(modelType, out EncoderArchitecture architecture))
            throw Fail($"{configPath}: model_type '{modelType}' is not supported; supported: {string.Join(", ", SupportedModelTypes)}");
        EncoderConfig encoder = config.Encoder(architecture);

        var weights = ReadWeights(folder, Fail, out Dictionary<string, string> fileOf);
        string prefix = HuggingFaceKeyMap.Prefix(architecture);
        // A bare model's keys lack the prefix ("embeddings.…" for BertModel); a classifier's have it.
        var normalized = new Dictionary<string, string>(StringComparer.Ordinal); // HF key with prefix → key in file
        foreach (string key in weights.Keys)
        {
            string hf = key.StartsWith(prefix, StringComparison.Ordinal) || IsHeadKey(key) ? key : prefix + key;
            // Checkpoints converted from TensorFlow (bert-base-uncased among them) name LayerNorm's
            // parameters gamma and beta; Hugging Face's loader renames them to weight and bias, and so do we.
            if (hf.EndsWith(".gamma", StringComparison.Ordinal)) hf = hf[..^"gamma".Length] + "weight";
            else if (hf.EndsWith(".beta", StringComparison.Ordinal)) hf = hf[..^"beta".Length] + "bias";
            if (!normalized.TryAdd(hf, key))
                throw Fail($"{fileOf[key]}: keys {normalized[hf]} and {key} both name {hf}");
        }

        string finalClassifier = HuggingFaceKeyMap.ToHf(architecture, encoder.LayerCount, $"exits.{encoder.LayerCount - 1}.classifier.weight")!;
        bool hasHead = normalized.ContainsKey(finalClassifier);
        int classCount;
        if (hasHead)
        {
            Tensor c = weights[normalized[finalClassifier]];
            classCount = (int)c.shape[0];
            if (classCount == 1 || config.String("problem_type") is "regression")
                throw Fail($"{configPath}: a single-output (regression) head is not supported; the exits are classifiers");
            if (options.ClassCount is int given && given != classCount)
                throw Fail($"{fileOf[normalized[finalClassifier]]}: {finalClassifier} has {classCount} classes but ClassCount {given} was asked for");
            if (!options.HeadDense)
                throw Fail($"{configPath}: the checkpoint's classifier reads [CLS] through a dense layer, so the heads must have HeadDense too (they share it)");
        }
        else
        {
            classCount = options.ClassCount ?? throw Fail($"{folder} has no classifier head (no key {finalClassifier}); give HuggingFaceImportOptions.ClassCount for a new one");
        }
        if (config.String("problem_type") is "multi_label_classification")
            throw Fail($"{configPath}: problem_type multi_label_classification is not supported; the exits are single-label classifiers");

        var exitHeadsPath = Path.Combine(folder, ExitHeadsFileName);
        Dictionary<string, Tensor>? exitHeads = File.Exists(exitHeadsPath) ? SafetensorsFile.Read(exitHeadsPath, Fail) : null;
        // The internal exits' pooling: what exit_heads.json says of heads written by Write, else the option.
        ExitPooling internalPooling = exitHeads is null ? options.Pooling : ReadExitHeadsPooling(folder, Fail) ?? options.Pooling;
        bool headDense = options.HeadDense;
        if (exitHeads is not null) headDense = exitHeads.ContainsKey("exits.0.dense.weight");
        if (hasHead && !headDense)
            throw Fail($"{exitHeadsPath}: the internal exits have no dense layer but the checkpoint's classifier has one; the heads share one HeadDense");
        // A classifier head reads [CLS]; new internal exits may pool otherwise (EncoderConfig.FinalExitPooling).
        encoder = encoder with
        {
            ClassCount = classCount, Pooling = internalPooling, HeadDense = headDense,
            FinalExitPooling = hasHead && internalPooling != ExitPooling.Cls ? ExitPooling.Cls : null,
        };

        MultiExitEncoder model;
        try
        {
            encoder.Validate();
            model = new MultiExitEncoder(encoder);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw Fail($"{configPath}: {e.Message.ReplaceLineEndings(" ")}");
        }

        try
        {
            var used = new HashSet<string>(StringComparer.Ordinal);
            // A generator of our own, not torch's global one: the same seed gives the same heads even
            // while other threads draw from the global generator.
            using var generator = new torch.Generator((ulong)options.Seed);
            using (no_grad())
            {
                foreach (var (ours, parameter) in model.state_dict())
                {
                    string? hf = HuggingFaceKeyMap.ToHf(architecture, encoder.LayerCount, ours);
                    Tensor? source;
                    string file;
                    if (hf is null || (!hasHead && ours.StartsWith($"exits.{encoder.LayerCount - 1}.", StringComparison.Ordinal)))
                    {
                        if (exitHeads is null || hf is not null)
                        {
                            SeededInit(parameter, encoder.HiddenSize, generator); // a new head
                            continue;
                        }
                        file = exitHeadsPath;
                        if (!exitHeads.TryGetValue(ours, out source))
                            throw Fail($"{file}: key {ours} is missing (expected shape [{string.Join(", ", parameter.shape)}])");
                        used.Add(ours);
                    }
                    else
                    {
                        if (!normalized.TryGetValue(hf, out string? key))
                            throw Fail($"{folder}: key {hf} is missing from the weights (expected shape [{string.Join(", ", parameter.shape)}])");
                        source = weights[key];
                        file = fileOf[key];
                        used.Add(key);
                    }
                    if (!source.shape.SequenceEqual(parameter.shape))
                        throw Fail($"{file}: key {hf ?? ours} has shape [{string.Join(", ", source.shape)}]; the config needs [{string.Join(", ", parameter.shape)}]");
                    parameter.copy_(source);
                }
            }
            foreach (var (hf, key) in normalized)
            {
                if (used.Contains(key) || HuggingFaceKeyMap.IsIgnorable(architecture, hf)) continue;
                throw Fail($"{fileOf[key]}: unexpected key {key} (shape [{string.Join(", ", weights[key].shape)}]) for model_type {modelType}");
            }
            if (exitHeads is not null)
            {
                string? extra = exitHeads.Keys.FirstOrDefault(k => !used.Contains(k));
                if (extra is not null) throw Fail($"{exitHeadsPath}: unexpected key {extra} (shape [{string.Join(", ", exitHeads[extra].shape)}])");
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            foreach (Tensor t in weights.Values) t.Dispose();
            if (exitHeads is not null) foreach (Tensor t in exitHeads.Values) t.Dispose();
        }

        model.eval();
        IReadOnlyList<string> labels = hasHead ? config.Labels(classCount) : [.. Enumerable.Range(0, classCount).Select(i => $"LABEL_{i}")];
        return new ImportedModel(model, labels, hasHead, architecture);
    }

    /// <summary>
    /// Writes <paramref name="model"/> as a Hugging Face <c>*ForSequenceClassification</c> folder:
    /// config.json, model.safetensors (backbone and final exit under HF's names) and
    /// exit_heads.safetensors (the internal exits under ours). Each file is written atomically;
    /// tokenizer files are the caller's to copy.
    /// </summary>
    /// <param name="model">The model; its final exit must use Cls pooling with a dense layer (HF's heads do).</param>
    /// <param name="labelNames">Class names by index; one per class.</param>
    /// <param name="folder">Created when missing; files of these names in it are replaced.</param>
    /// <exception cref="ArgumentException">The final exit cannot be a Hugging Face head, or the label count is wrong.</exception>
    public static void Write(MultiExitEncoder model, IReadOnlyList<string> labelNames, string folder)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(labelNames);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        EncoderConfig c = model.Config;
        if (c.PoolingOf(c.LayerCount - 1) != ExitPooling.Cls)
            throw new ArgumentException($"the final exit uses {c.PoolingOf(c.LayerCount - 1)} pooling; a Hugging Face classification head reads [CLS], so train with Cls pooling to export", nameof(model));
        if (!c.HeadDense)
            throw new ArgumentException("the final exit has no dense layer; a Hugging Face classification head has one (pooler / pre_classifier / classifier.dense), so train with HeadDense to export", nameof(model));
        if (labelNames.Count != c.ClassCount)
            throw new ArgumentException($"{labelNames.Count} label names for {c.ClassCount} classes", nameof(labelNames));
        if (labelNames.Distinct(StringComparer.Ordinal).Count() != labelNames.Count)
            throw new ArgumentException("label names must be distinct (config.json's label2id maps each to its id)", nameof(labelNames));
        JsonObject configJson = ConfigWriter.Write(c, labelNames);
        // What import would rebuild from that config.json must be this model's forward; a combination no
        // Hugging Face config of this model_type expresses (say Bert with SharedLayer) is refused by field.
        EncoderConfig reread = new ConfigReader(configJson, ConfigFileName, m => new ArgumentException(m, nameof(model))).Encoder(c.Architecture)
            with { ClassCount = c.ClassCount, Pooling = c.Pooling, FinalExitPooling = c.FinalExitPooling, HeadDense = c.HeadDense };
        if (reread != c)
        {
            string field = typeof(EncoderConfig).GetProperties().Where(p => p.GetIndexParameters().Length == 0)
                .First(p => !Equals(p.GetValue(reread), p.GetValue(c))).Name;
            throw new ArgumentException($"the model's {field} ({typeof(EncoderConfig).GetProperty(field)!.GetValue(c)}) cannot be written as a {c.Architecture} Hugging Face config (it would read back as {typeof(EncoderConfig).GetProperty(field)!.GetValue(reread)})", nameof(model));
        }

        using var scope = NewDisposeScope();
        var hfTensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var exitTensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (ours, t) in model.state_dict())
        {
            string? hf = HuggingFaceKeyMap.ToHf(c.Architecture, c.LayerCount, ours);
            if (hf is null) exitTensors[ours] = t.detach();
            else hfTensors[hf] = t.detach();
        }
        Directory.CreateDirectory(folder);
        SafetensorsFile.Write(Path.Combine(folder, WeightsFileName), hfTensors);
        if (exitTensors.Count > 0)
        {
            SafetensorsFile.Write(Path.Combine(folder, ExitHeadsFileName), exitTensors);
            // The internal exits' pooling, which config.json (HF's) has no field for.
            AtomicFile.WriteAllText(Path.Combine(folder, ExitHeadsConfigFileName),
                new JsonObject { ["pooling"] = c.Pooling.ToString() }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            File.Delete(Path.Combine(folder, ExitHeadsFileName)); // a stale one would be read back
            File.Delete(Path.Combine(folder, ExitHeadsConfigFileName));
        }
        string text = configJson.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        AtomicFile.Write(Path.Combine(folder, ConfigFileName), s => s.Write(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>
    /// nn.Linear's default initialisation, U(−1/√fan_in, 1/√fan_in) for weight and bias (PyTorch's
    /// kaiming_uniform with a = √5), drawn from <paramref name="generator"/> in state-dict order.
    /// Every head layer reads hidden-size vectors (dense: hidden → hidden, classifier: hidden → classes),
    /// so fan_in is the hidden size for all of them.
    /// </summary>
    private static void SeededInit(Tensor parameter, int hiddenSize, torch.Generator generator)
    {
        using var scope = NewDisposeScope();
        double bound = 1 / Math.Sqrt(hiddenSize);
        parameter.copy_((rand(parameter.shape, generator: generator) * 2 - 1) * bound);
    }

    /// <summary>The pooling exit_heads.json records, or null without the file.</summary>
    private static ExitPooling? ReadExitHeadsPooling(string folder, Func<string, Exception> fail)
    {
        string path = Path.Combine(folder, ExitHeadsConfigFileName);
        if (!File.Exists(path)) return null;
        try
        {
            string? name = JsonNode.Parse(File.ReadAllText(path))?["pooling"]?.GetValue<string>();
            return Enum.TryParse(name, ignoreCase: true, out ExitPooling pooling) && Enum.IsDefined(pooling)
                ? pooling
                : throw fail($"{path}: pooling must be one of {string.Join(", ", Enum.GetNames<ExitPooling>())}; got '{name}'");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw fail($"{path} is not valid JSON with a pooling field: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    private static bool IsHeadKey(string key) => HuggingFaceKeyMap.IsOutsideBackbone(key);

    private static Dictionary<string, Tensor> ReadWeights(string folder, Func<string, Exception> fail, out Dictionary<string, string> fileOf)
    {
        fileOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        string single = Path.Combine(folder, WeightsFileName), index = Path.Combine(folder, ShardIndexFileName), pickle = Path.Combine(folder, PickleFileName);
        var files = new List<string>();
        if (File.Exists(single)) files.Add(single);
        else if (File.Exists(index))
        {
            try
            {
                JsonObject map = JsonNode.Parse(File.ReadAllText(index))?["weight_map"] as JsonObject
                    ?? throw fail($"{index} has no weight_map object");
                files.AddRange(map.Select(kv => kv.Value!.GetValue<string>()).Distinct(StringComparer.Ordinal).Select(f => Path.Combine(folder, f)));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                throw fail($"{index} is not a valid shard index: {e.Message.ReplaceLineEndings(" ")}");
            }
            foreach (string f in files)
                if (!File.Exists(f)) throw fail($"{index} names shard {Path.GetFileName(f)}, which is not in the folder");
        }
        else if (File.Exists(pickle))
        {
            Hashtable table;
            try
            {
                using var stream = File.OpenRead(pickle);
                table = TorchSharp.PyBridge.PyTorchUnpickler.UnpickleStateDict(stream);
            }
            catch (Exception e) when (e is not HuggingFaceFolderException)
            {
                throw fail($"{pickle} could not be read as a PyTorch state dict: {e.Message.ReplaceLineEndings(" ")}");
            }
            foreach (DictionaryEntry entry in table)
            {
                string key = (string)entry.Key;
                if (entry.Value is not Tensor t) throw fail($"{pickle}: entry {key} is not a tensor");
                result[key] = t.to_type(ScalarType.Float32);
                fileOf[key] = pickle;
            }
            return result;
        }
        else throw fail($"{folder} has no weights: none of {WeightsFileName}, {ShardIndexFileName}, {PickleFileName}");

        foreach (string f in files)
        {
            foreach (var (key, t) in SafetensorsFile.Read(f, fail))
            {
                if (!result.TryAdd(key, t)) throw fail($"{f}: key {key} is also in {fileOf[key]}");
                fileOf[key] = f;
            }
        }
        return result;
    }

    /// <summary>Reads the config fields the forward depends on; refuses any value it cannot compute, by name.</summary>
    private sealed class ConfigReader(JsonObject json, string path, Func<string, Exception> fail)
    {
        internal string? String(string name) => json[name] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

        private int Int(string name, int? fallback = null)
        {
            JsonNode? node = json[name];
            if (node is null) return fallback ?? throw fail($"{path} has no {name}");
            if (node is JsonValue v && v.TryGetValue(out int i)) return i;
            throw fail($"{path}: {name} must be an integer; got {node.ToJsonString()}");
        }

        private double Double(string name, double fallback)
        {
            JsonNode? node = json[name];
            if (node is null) return fallback;
            if (node is JsonValue v && v.TryGetValue(out double d)) return d;
            throw fail($"{path}: {name} must be a number; got {node.ToJsonString()}");
        }

        private bool Bool(string name) => json[name] is JsonValue v && v.TryGetValue(out bool b) && b;

        private HiddenActivation Activation(string name, string fallback)
        {
            string act = String(name) ?? fallback;
            return act switch
            {
                "gelu" => HiddenActivation.Gelu,
                "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" => HiddenActivation.GeluTanh,
                "relu" => HiddenActivation.Relu,
                "silu" or "swish" => HiddenActivation.Silu,
                _ => throw fail($"{path}: {name} '{act}' is not supported; supported: gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu, silu, swish"),
            };
        }

        internal EncoderConfig Encoder(EncoderArchitecture architecture)
        {
            if (Bool("is_decoder")) throw fail($"{path}: is_decoder true is not supported; only bidirectional encoders are");
            if (Bool("add_cross_attention")) throw fail($"{path}: add_cross_attention true is not supported; only bidirectional encoders are");
            string positions = String("position_embedding_type") ?? "absolute";
            if (positions != "absolute")
                throw fail($"{path}: position_embedding_type '{positions}' is not supported; only absolute");
            if (architecture == EncoderArchitecture.DistilBert)
            {
                return new EncoderConfig
                {
                    Architecture = architecture,
                    VocabularySize = Int("vocab_size"),
                    HiddenSize = Int("dim"),
                    LayerCount = Int("n_layers"),
                    HeadCount = Int("n_heads"),
                    IntermediateSize = Int("hidden_dim"),
                    ClassCount = 1, // set by the caller
                    MaxPositions = Int("max_position_embeddings", 512),
                    TypeVocabularySize = 0, // DistilBERT has no token-type embeddings
                    LayerNormEpsilon = 1e-12, // modeling_distilbert builds every LayerNorm with eps=1e-12
                    HiddenDropout = Double("dropout", 0.1),
                    AttentionDropout = Double("attention_dropout", 0.1),
                    HiddenActivation = Activation("activation", "gelu"),
                    PaddingId = Int("pad_token_id", 0),
                    FinalHeadActivation = HeadActivation.Relu,
                };
            }
            bool roberta = architecture is EncoderArchitecture.Roberta or EncoderArchitecture.XlmRoberta;
            int hidden = Int("hidden_size");
            int? embedding = null;
            if (architecture == EncoderArchitecture.Albert)
            {
                int groups = Int("num_hidden_groups", 1), inner = Int("inner_group_num", 1);
                if (groups != 1) throw fail($"{path}: num_hidden_groups {groups} is not supported; only 1 (one shared layer)");
                if (inner != 1) throw fail($"{path}: inner_group_num {inner} is not supported; only 1 (one shared layer)");
                embedding = Int("embedding_size", 128); // ALBERT always projects, even when the widths agree
            }
            else if (architecture == EncoderArchitecture.Electra)
            {
                int e = Int("embedding_size", hidden);
                if (e != hidden) embedding = e; // modeling_electra adds embeddings_project only when they differ
            }
            return new EncoderConfig
            {
                Architecture = architecture,
                VocabularySize = Int("vocab_size"),
                HiddenSize = hidden,
                LayerCount = Int("num_hidden_layers"),
                HeadCount = Int("num_attention_heads"),
                IntermediateSize = Int("intermediate_size"),
                ClassCount = 1, // set by the caller
                MaxPositions = Int("max_position_embeddings", 512),
                TypeVocabularySize = Int("type_vocab_size", 2),
                LayerNormEpsilon = Double("layer_norm_eps", 1e-12),
                HiddenDropout = Double("hidden_dropout_prob", 0.1),
                AttentionDropout = Double("attention_probs_dropout_prob", 0.1),
                HiddenActivation = Activation("hidden_act", architecture == EncoderArchitecture.Albert ? "gelu_new" : "gelu"),
                PaddingId = Int("pad_token_id", roberta ? 1 : 0),
                PositionsFromPadding = roberta,
                EmbeddingSize = embedding,
                SharedLayer = architecture == EncoderArchitecture.Albert,
                FinalHeadActivation = architecture == EncoderArchitecture.Electra ? HeadActivation.Gelu : HeadActivation.Tanh,
            };
        }

        /// <summary><c>id2label</c> ordered by id; LABEL_i where it is absent.</summary>
        internal IReadOnlyList<string> Labels(int classCount)
        {
            var labels = Enumerable.Range(0, classCount).Select(i => $"LABEL_{i}").ToArray();
            if (json["id2label"] is not JsonObject map) return labels;
            if (map.Count != classCount)
                throw fail($"{path}: id2label has {map.Count} labels but the classifier has {classCount} classes");
            foreach (var (id, name) in map)
            {
                if (!int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out int i) || i >= classCount)
                    throw fail($"{path}: id2label key '{id}' is not a class index in [0, {classCount})");
                labels[i] = name?.GetValue<string>() ?? throw fail($"{path}: id2label[{id}] is null");
            }
            return labels;
        }
    }

    /// <summary>config.json for an export: every field <see cref="ConfigReader"/> reads, under HF's names.</summary>
    private static class ConfigWriter
    {
        internal static JsonObject Write(EncoderConfig c, IReadOnlyList<string> labels)
        {
            string modelType = ModelTypes.Single(kv => kv.Value == c.Architecture).Key;
            string className = c.Architecture switch
            {
                EncoderArchitecture.Bert => "Bert",
                EncoderArchitecture.DistilBert => "DistilBert",
                EncoderArchitecture.Roberta => "Roberta",
                EncoderArchitecture.XlmRoberta => "XLMRoberta",
                EncoderArchitecture.Electra => "Electra",
                _ => "Albert",
            };
            var id2label = new JsonObject();
            var label2id = new JsonObject();
            for (int i = 0; i < labels.Count; i++)
            {
                id2label[i.ToString(CultureInfo.InvariantCulture)] = labels[i];
                label2id[labels[i]] = i;
            }
            string act = c.HiddenActivation switch
            {
                HiddenActivation.Gelu => "gelu",
                HiddenActivation.GeluTanh => "gelu_new",
                HiddenActivation.Relu => "relu",
                _ => "silu",
            };
            var o = new JsonObject
            {
                ["model_type"] = modelType,
                ["architectures"] = new JsonArray(className + "ForSequenceClassification"),
                ["vocab_size"] = c.VocabularySize,
                ["max_position_embeddings"] = c.MaxPositions,
                ["pad_token_id"] = c.PaddingId,
                ["id2label"] = id2label,
                ["label2id"] = label2id,
                ["torch_dtype"] = "float32",
            };
            if (c.Architecture == EncoderArchitecture.DistilBert)
            {
                o["dim"] = c.HiddenSize;
                o["n_layers"] = c.LayerCount;
                o["n_heads"] = c.HeadCount;
                o["hidden_dim"] = c.IntermediateSize;
                o["activation"] = act;
                o["dropout"] = c.HiddenDropout;
                o["attention_dropout"] = c.AttentionDropout;
                o["sinusoidal_pos_embds"] = false;
                return o;
            }
            o["hidden_size"] = c.HiddenSize;
            o["num_hidden_layers"] = c.LayerCount;
            o["num_attention_heads"] = c.HeadCount;
            o["intermediate_size"] = c.IntermediateSize;
            o["hidden_act"] = act;
            o["layer_norm_eps"] = c.LayerNormEpsilon;
            o["type_vocab_size"] = c.TypeVocabularySize;
            o["hidden_dropout_prob"] = c.HiddenDropout;
            o["attention_probs_dropout_prob"] = c.AttentionDropout;
            o["position_embedding_type"] = "absolute";
            if (c.Architecture is EncoderArchitecture.Electra or EncoderArchitecture.Albert)
                o["embedding_size"] = c.EmbeddingSize ?? c.HiddenSize;
            if (c.Architecture == EncoderArchitecture.Albert)
            {
                o["num_hidden_groups"] = 1;
                o["inner_group_num"] = 1;
            }
            return o;
        }
    }
}
