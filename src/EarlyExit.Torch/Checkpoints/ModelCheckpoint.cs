using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;
using EarlyExit.Core.IO;
using EarlyExit.Torch.Models;
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
    /// <param name="model">The model; its weights are saved as they are (any device, float32).</param>
    /// <param name="metadata">Must carry the model's own config and one label name per class.</param>
    /// <param name="directory">The checkpoint directory; existing checkpoint files are replaced.</param>
    /// <exception cref="ArgumentException">The metadata's config is not the model's, or the label
    /// names do not match the class count.</exception>
    public static void Save(MultiExitEncoder model, CheckpointMetadata metadata, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (metadata.Config != model.Config)
            throw new ArgumentException($"metadata.Config must be the model's config; got {metadata.Config}, the model has {model.Config}", nameof(metadata));
        CheckLabels(metadata, nameof(metadata));

        Directory.CreateDirectory(directory);
        AtomicFile.Write(Path.Combine(directory, WeightsFileName), stream => model.save_safetensors(stream, leaveOpen: true));
        AtomicFile.Write(Path.Combine(directory, MetadataFileName), stream => JsonSerializer.Serialize(stream, metadata, Json));
    }

    /// <summary>Rebuilds the model saved in <paramref name="directory"/>.</summary>
    /// <param name="directory">A directory written by <see cref="Save"/>.</param>
    /// <returns>The model in evaluation mode on the CPU, and its metadata.</returns>
    /// <exception cref="FileNotFoundException">A checkpoint file is missing.</exception>
    /// <exception cref="InvalidDataException">The metadata is malformed or of another format
    /// version, or the weights do not fit it: the message names the missing, misshapen,
    /// unexpected or truncated tensor.</exception>
    public static LoadedCheckpoint Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string metadataPath = Path.Combine(directory, MetadataFileName);
        string weightsPath = Path.Combine(directory, WeightsFileName);
        if (!File.Exists(metadataPath)) throw new FileNotFoundException($"checkpoint metadata {metadataPath} not found", metadataPath);
        if (!File.Exists(weightsPath)) throw new FileNotFoundException($"checkpoint weights {weightsPath} not found", weightsPath);

        CheckpointMetadata metadata = ReadMetadata(metadataPath);
        var model = new MultiExitEncoder(metadata.Config);
        try
        {
            CheckWeights(weightsPath, model);
            model.load_safetensors(weightsPath, strict: true);
            model.eval();
            return new LoadedCheckpoint(model, metadata);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static CheckpointMetadata ReadMetadata(string path)
    {
        CheckpointMetadata? metadata;
        try
        {
            using FileStream stream = File.OpenRead(path);
            metadata = JsonSerializer.Deserialize<CheckpointMetadata>(stream, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid checkpoint metadata: {e.Message}", e);
        }
        if (metadata is null || metadata.Config is null || metadata.LabelNames is null)
            throw new InvalidDataException($"{path} lacks the config or the label names");
        if (metadata.FormatVersion != CheckpointMetadata.CurrentFormatVersion)
            throw new InvalidDataException($"{path} has format version {metadata.FormatVersion}; this code reads version {CheckpointMetadata.CurrentFormatVersion}");
        try
        {
            metadata.Config.Validate();
            CheckLabels(metadata, nameof(metadata));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        return metadata;
    }

    private static void CheckLabels(CheckpointMetadata metadata, string parameterName)
    {
        if (metadata.LabelNames.Count != metadata.Config.ClassCount)
            throw new ArgumentException(
                $"LabelNames must have one name per class ({metadata.Config.ClassCount}); got {metadata.LabelNames.Count}", parameterName);
    }

    /// <summary>
    /// Checks the safetensors header (8-byte little-endian length, then JSON
    /// <c>{name: {dtype, shape, data_offsets: [begin, end)}}</c>, offsets relative to the data
    /// after the header) against the model's state dict, so a mismatched or truncated file fails
    /// with the tensor's name rather than inside the reader.
    /// </summary>
    private static void CheckWeights(string path, MultiExitEncoder model)
    {
        Dictionary<string, long[]> expected = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        using FileStream stream = File.OpenRead(path);
        long fileLength = stream.Length;
        Span<byte> prefix = stackalloc byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
            throw new InvalidDataException($"{path} is {fileLength} bytes, too short for a safetensors header");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)(fileLength - 8))
            throw new InvalidDataException($"{path} is truncated: its header claims {headerLength} bytes but {fileLength - 8} follow the length");
        byte[] header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataLength = fileLength - 8 - (long)headerLength;

        using JsonDocument document = JsonDocument.Parse(header);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty entry in document.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__") continue;
            string name = entry.Name;
            if (!expected.TryGetValue(name, out long[]? shape))
                throw new InvalidDataException($"{path} has tensor {name}, which the config's model does not have");
            string dtype = entry.Value.GetProperty("dtype").GetString() ?? "";
            long[] fileShape = [.. entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())];
            long[] offsets = [.. entry.Value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64())];
            if (dtype != "F32")
                throw new InvalidDataException($"{path}: tensor {name} is {dtype}; expected F32");
            if (!fileShape.SequenceEqual(shape))
                throw new InvalidDataException($"{path}: tensor {name} has shape [{string.Join(", ", fileShape)}]; the config needs [{string.Join(", ", shape)}]");
            long bytes = shape.Aggregate(4L, (a, d) => a * d);
            if (offsets.Length != 2 || offsets[1] - offsets[0] != bytes)
                throw new InvalidDataException($"{path}: tensor {name} has data offsets [{string.Join(", ", offsets)}]; its shape needs {bytes} bytes");
            if (offsets[1] > dataLength)
                throw new InvalidDataException($"{path} is truncated: tensor {name} needs bytes [{offsets[0]}, {offsets[1]}) of the data but only {dataLength} are present");
            seen.Add(name);
        }
        string[] missing = [.. expected.Keys.Where(k => !seen.Contains(k)).Order(StringComparer.Ordinal)];
        if (missing.Length > 0)
            throw new InvalidDataException($"{path} lacks {missing.Length} tensor(s) the config's model needs: {string.Join(", ", missing)}");
    }

}
