using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;
using EarlyExit.Core.IO;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Models.Vision;
using EarlyExit.Torch.Training;
using TorchSharp;
using TorchSharp.PyBridge;

namespace EarlyExit.Torch.Checkpoints;

/// <summary>
/// Saves and loads a multi-exit model as a directory holding <see cref="WeightsFileName"/>
/// (the state dict in safetensors format, readable by Python's <c>safetensors</c>) and
/// <see cref="MetadataFileName"/> (a <see cref="CheckpointMetadata"/> in JSON).
/// </summary>
/// <remarks>
/// Each file is written to a temporary file in the same directory, flushed to disk and renamed
/// over the old one, so a crash leaves either the old or the new file, never half of one. The
/// weights are written first and the metadata last. Loading rebuilds the model from the
/// metadata and checks the safetensors header against it (every tensor present, shape and
/// dtype as the config needs, its bytes inside the file) before reading any data.
/// </remarks>
public static class ModelCheckpoint
{
    /// <summary>The weights file inside a checkpoint directory.</summary>
    public const string WeightsFileName = "model.safetensors";

    /// <summary>The metadata file inside a checkpoint directory.</summary>
    public const string MetadataFileName = "checkpoint.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Writes <paramref name="model"/> and <paramref name="metadata"/> to <paramref name="directory"/>, creating it if needed.</summary>
    /// <param name="model">A <see cref="MultiExitEncoder"/> or a <see cref="MultiExitVisionModel"/>; its weights
    /// (and BatchNorm statistics) are saved as they are (any device).</param>
    /// <param name="metadata">Must carry the model's kind, its own config and one label name per class.</param>
    /// <param name="directory">The checkpoint directory; existing checkpoint files are replaced.</param>
    /// <exception cref="ArgumentException">The metadata does not describe the model, or the label
    /// names do not match the class count.</exception>
    public static void Save(IMultiExitNetwork model, CheckpointMetadata metadata, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        CheckDescribes(model, metadata);
        CheckLabels(metadata, nameof(metadata));

        Directory.CreateDirectory(directory);
        string weightsPath = Path.Combine(directory, WeightsFileName);
        AtomicFile.Write(weightsPath, stream => model.Module.save_safetensors(stream, leaveOpen: true));
        CheckpointMetadata described = metadata with { WeightsSha256 = FileHash.Sha256(weightsPath) };
        AtomicFile.Write(Path.Combine(directory, MetadataFileName), stream => JsonSerializer.Serialize(stream, described, Json));
    }

    /// <summary>Rebuilds the text encoder saved in <paramref name="directory"/>.</summary>
    /// <param name="directory">A directory written by <see cref="Save"/>.</param>
    /// <returns>The model in evaluation mode on the CPU, and its metadata.</returns>
    /// <exception cref="CheckpointException">A checkpoint file is missing, or the metadata is malformed or of another format
    /// version, the checkpoint holds a vision model (load it with <see cref="LoadVision"/>), or the
    /// weights do not fit it: the message names the missing, misshapen, unexpected, truncated or overlapping tensor.</exception>
    public static LoadedCheckpoint Load(string directory)
    {
        CheckpointMetadata metadata = ReadMetadata(directory);
        if (metadata.Kind != ModelKind.TextEncoder)
            throw new CheckpointException($"{Path.Combine(directory, MetadataFileName)} holds a {metadata.Kind} model, not a text encoder; load it with LoadVision");
        var model = new MultiExitEncoder(metadata.Config!);
        return new LoadedCheckpoint(ReadWeightsInto(model, directory, metadata), metadata);
    }

    /// <summary>Rebuilds the vision model (ViT or CNN) saved in <paramref name="directory"/>.</summary>
    /// <param name="directory">A directory written by <see cref="Save"/>.</param>
    /// <returns>The model in evaluation mode on the CPU, and its metadata.</returns>
    /// <exception cref="CheckpointException">As for <see cref="Load"/>, or the checkpoint holds a text encoder.</exception>
    public static LoadedVisionCheckpoint LoadVision(string directory)
    {
        CheckpointMetadata metadata = ReadMetadata(directory);
        if (metadata.Kind != ModelKind.Vision)
            throw new CheckpointException($"{Path.Combine(directory, MetadataFileName)} holds a {metadata.Kind} model, not a vision model; load it with Load");
        MultiExitVisionModel model = MultiExitVisionModel.Create(metadata.Vision!);
        return new LoadedVisionCheckpoint(ReadWeightsInto(model, directory, metadata), metadata);
    }

    /// <summary>
    /// Reads the weights saved in <paramref name="directory"/> into <paramref name="model"/> in place
    /// (a resumed training run), after checking the checkpoint describes that very model.
    /// </summary>
    /// <param name="model">The model; its mode is left as it is.</param>
    /// <param name="directory">A directory written by <see cref="Save"/>.</param>
    /// <returns>The checkpoint's metadata.</returns>
    /// <exception cref="CheckpointException">A checkpoint file is missing, or the metadata is malformed or describes another model
    /// (the message gives both configs), or the weights do not fit.</exception>
    public static CheckpointMetadata LoadWeights(IMultiExitNetwork model, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckpointMetadata metadata = ReadMetadata(directory);
        ReadWeights(model, directory, metadata);
        return metadata;
    }

    /// <summary>Reads and checks <see cref="MetadataFileName"/> alone (no weights) and checks the weights file exists.</summary>
    /// <param name="directory">A directory written by <see cref="Save"/>.</param>
    /// <exception cref="CheckpointException">A checkpoint file is missing, or the metadata is malformed, of another format version,
    /// lacks the config of its kind, or its label names do not match the classes.</exception>
    public static CheckpointMetadata ReadMetadata(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string path = Path.Combine(directory, MetadataFileName);
        string weightsPath = Path.Combine(directory, WeightsFileName);
        if (!File.Exists(path)) throw new CheckpointException($"checkpoint metadata {path} not found");
        if (!File.Exists(weightsPath)) throw new CheckpointException($"checkpoint weights {weightsPath} not found");
        CheckpointMetadata? metadata;
        try
        {
            using FileStream stream = File.OpenRead(path);
            metadata = JsonSerializer.Deserialize<CheckpointMetadata>(stream, Json);
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{path} is not valid checkpoint metadata: {e.Message}", e);
        }
        bool hasConfig = metadata?.Kind == ModelKind.Vision ? metadata.Vision is not null : metadata?.Config is not null;
        if (metadata is null || !hasConfig || metadata.LabelNames is null)
            throw new CheckpointException($"{path} lacks the {(metadata?.Kind == ModelKind.Vision ? "vision config" : "config")} or the label names");
        if (metadata.FormatVersion != CheckpointMetadata.CurrentFormatVersion)
            throw new CheckpointException($"{path} has format version {metadata.FormatVersion}; this code reads version {CheckpointMetadata.CurrentFormatVersion}");
        try
        {
            if (metadata.Kind == ModelKind.Vision) metadata.Vision!.Validate();
            else metadata.Config!.Validate();
            CheckLabels(metadata, nameof(metadata));
        }
        catch (ArgumentException e)
        {
            throw new CheckpointException($"{path}: {e.Message}", e);
        }
        return metadata;
    }

    private static void CheckWeightsHash(string directory, CheckpointMetadata metadata)
    {
        if (metadata.WeightsSha256 is not { } expected) return;
        string weightsPath = Path.Combine(directory, WeightsFileName);
        if (!string.Equals(FileHash.Sha256(weightsPath), expected, StringComparison.OrdinalIgnoreCase))
            throw new CheckpointException($"{weightsPath} is not the file {MetadataFileName} was written with (its SHA-256 differs): a save was interrupted; save or train the model again");
    }

    /// <summary>The weights into <paramref name="model"/>, once <paramref name="metadata"/> (already read) is checked to describe it.</summary>
    private static void ReadWeights(IMultiExitNetwork model, string directory, CheckpointMetadata metadata)
    {
        try
        {
            CheckDescribes(model, metadata);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointException($"{directory} holds another model: {e.Message}", e);
        }
        string weightsPath = Path.Combine(directory, WeightsFileName);
        CheckWeights(weightsPath, model.Module);
        // After the header checks, whose messages say which tensor is wrong; this catches the rest
        // (whole weights of another save).
        CheckWeightsHash(directory, metadata);
        try
        {
            model.Module.load_safetensors(weightsPath, strict: true);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or JsonException or IOException and not CheckpointException)
        {
            // What PyBridge's reader throws on bytes the header check let through: one type for callers.
            throw new CheckpointException($"{weightsPath} cannot be read: {e.Message}", e);
        }
    }

    private static TModel ReadWeightsInto<TModel>(TModel model, string directory, CheckpointMetadata metadata)
        where TModel : IMultiExitNetwork
    {
        try
        {
            ReadWeights(model, directory, metadata);
            model.Module.eval();
            return model;
        }
        catch
        {
            model.Module.Dispose();
            throw;
        }
    }

    /// <exception cref="ArgumentException">The metadata's kind or config is not the model's.</exception>
    private static void CheckDescribes(IMultiExitNetwork model, CheckpointMetadata metadata)
    {
        switch (model)
        {
            case MultiExitEncoder encoder when metadata.Kind != ModelKind.TextEncoder || metadata.Config != encoder.Config:
                throw new ArgumentException(
                    $"metadata must describe the model: kind TextEncoder with config {encoder.Config}; got kind {metadata.Kind} with config {metadata.Config}", nameof(metadata));
            case MultiExitVisionModel vision when metadata.Kind != ModelKind.Vision || metadata.Vision != vision.Config:
                throw new ArgumentException(
                    $"metadata must describe the model: kind Vision with config {vision.Config}; got kind {metadata.Kind} with config {metadata.Vision}", nameof(metadata));
            case MultiExitEncoder or MultiExitVisionModel:
                return;
            default:
                throw new ArgumentException($"a checkpoint holds a MultiExitEncoder or a MultiExitVisionModel; got {model.GetType().Name}", nameof(model));
        }
    }

    private static void CheckLabels(CheckpointMetadata metadata, string parameterName)
    {
        if (metadata.LabelNames.Count != metadata.ClassCount)
            throw new ArgumentException(
                $"LabelNames must have one name per class ({metadata.ClassCount}); got {metadata.LabelNames.Count}", parameterName);
        // Answers are given by name, so two classes with one name could not be told apart.
        // Ordinal: "Spam" and "spam" are different answers.
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in metadata.LabelNames)
        {
            if (!names.Add(name))
                throw new ArgumentException($"LabelNames must be distinct; \"{name}\" appears twice", parameterName);
        }
    }

    /// <summary>
    /// Checks the safetensors header (8-byte little-endian length, then JSON
    /// <c>{name: {dtype, shape, data_offsets: [begin, end)}}</c>, offsets relative to the data
    /// after the header) against the model's state dict, so a mismatched, truncated or
    /// inconsistent file fails with the tensor's name rather than inside the reader.
    /// </summary>
    /// <remarks>
    /// The reader trusts the offsets, so they are held to the format's rules: each tensor's bytes
    /// are exactly its shape's element count times its dtype's size, and the tensors, taken in
    /// order of their offsets (not of the header's keys), tile the data buffer with no overlap and
    /// no hole. A negative or overlapping offset would otherwise load header bytes or another
    /// tensor's bytes as weights, silently.
    /// </remarks>
    private static void CheckWeights(string path, torch.nn.Module model)
    {
        // One pass over the state dict: each call makes a wrapper per tensor.
        Dictionary<string, (long[] Shape, string Type)> expected = model.state_dict()
            .ToDictionary(kv => kv.Key, kv => (kv.Value.shape, SafetensorsType(kv.Value.dtype)));
        using FileStream stream = File.OpenRead(path);
        long fileLength = stream.Length;
        Span<byte> prefix = stackalloc byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
            throw new CheckpointException($"{path} is {fileLength} bytes, too short for a safetensors header");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)(fileLength - 8))
            throw new CheckpointException($"{path} is truncated: its header claims {headerLength} bytes but {fileLength - 8} follow the length");
        byte[] header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataLength = fileLength - 8 - (long)headerLength;

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{path} has a safetensors header that is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointException($"{path} has a safetensors header that is not a JSON object");
            var spans = new List<(string Name, long Begin, long End)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty entry in document.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__") continue;
                string name = entry.Name;
                if (!expected.TryGetValue(name, out var wanted))
                    throw new CheckpointException($"{path} has tensor {name}, which the config's model does not have");
                if (!seen.Add(name))
                    throw new CheckpointException($"{path} has tensor {name} twice");
                string dtype = Field(path, name, entry.Value, "dtype", JsonValueKind.String).GetString() ?? "";
                long[] fileShape = Integers(path, name, entry.Value, "shape");
                long[] offsets = Integers(path, name, entry.Value, "data_offsets");
                long[] shape = wanted.Shape;
                if (dtype != wanted.Type)
                    throw new CheckpointException($"{path}: tensor {name} is {dtype}; expected {wanted.Type}");
                if (!fileShape.SequenceEqual(shape))
                    throw new CheckpointException($"{path}: tensor {name} has shape [{string.Join(", ", fileShape)}]; the config needs [{string.Join(", ", shape)}]");
                long bytes = shape.Aggregate(dtype == "I64" ? 8L : 4L, (a, d) => a * d);
                if (offsets.Length != 2 || offsets[1] - offsets[0] != bytes)
                    throw new CheckpointException($"{path}: tensor {name} has data offsets [{string.Join(", ", offsets)}]; its shape needs {bytes} bytes");
                if (offsets[1] > dataLength)
                    throw new CheckpointException($"{path} is truncated: tensor {name} needs bytes [{offsets[0]}, {offsets[1]}) of the data but only {dataLength} are present");
                spans.Add((name, offsets[0], offsets[1]));
            }
            string[] missing = [.. expected.Keys.Where(k => !seen.Contains(k)).Order(StringComparer.Ordinal)];
            if (missing.Length > 0)
                throw new CheckpointException($"{path} lacks {missing.Length} tensor(s) the config's model needs: {string.Join(", ", missing)}");
            CheckTiling(path, spans, dataLength);
        }
    }

    /// <summary>The tensors' byte ranges, sorted by offset, must start at 0, meet end to end and stop at the data's end.</summary>
    private static void CheckTiling(string path, List<(string Name, long Begin, long End)> spans, long dataLength)
    {
        long next = 0;
        string? previous = null;
        foreach (var (name, begin, end) in spans.OrderBy(s => s.Begin).ThenBy(s => s.End))
        {
            if (begin < next)
                throw new CheckpointException($"{path}: tensor {name}'s bytes [{begin}, {end}) overlap tensor {previous}'s, which end at {next}");
            if (begin > next)
                throw new CheckpointException($"{path}: tensor {name} starts at byte {begin} of the data, leaving bytes [{next}, {begin}) that no tensor holds");
            next = end;
            previous = name;
        }
        if (next != dataLength)
            throw new CheckpointException($"{path} has {dataLength - next} byte(s) after the last tensor's data that no tensor holds");
    }

    /// <summary>A header entry's field, which must be present and of <paramref name="kind"/>.</summary>
    private static JsonElement Field(string path, string tensor, JsonElement entry, string field, JsonValueKind kind)
    {
        if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty(field, out JsonElement value) || value.ValueKind != kind)
            throw new CheckpointException($"{path}: tensor {tensor} lacks {field} or it is not a JSON {kind.ToString().ToLowerInvariant()}");
        return value;
    }

    /// <summary>A header entry's array of non-negative 64-bit integers (a shape or the data offsets).</summary>
    private static long[] Integers(string path, string tensor, JsonElement entry, string field)
    {
        JsonElement array = Field(path, tensor, entry, field, JsonValueKind.Array);
        var values = new long[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            // 1e30, 2.5 or -1 is not a dimension or an offset; GetInt64 would throw a FormatException.
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long value) || value < 0)
                throw new CheckpointException($"{path}: tensor {tensor} has {field} [{string.Join(", ", array.EnumerateArray().Select(e => e.GetRawText()))}]; each must be a non-negative integer");
            values[i++] = value;
        }
        return values;
    }

    /// <summary>The safetensors name of a state-dict dtype: F32 for weights, I64 for BatchNorm's batch counter.</summary>
    private static string SafetensorsType(torch.ScalarType dtype) => dtype switch
    {
        torch.ScalarType.Float32 => "F32",
        torch.ScalarType.Int64 => "I64",
        _ => dtype.ToString(),
    };
}
