using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Models.Vision;

namespace EarlyExit.Torch.Checkpoints;

/// <summary>
/// Everything a checkpoint stores beside the weights: what is needed to rebuild the model and
/// to turn its outputs into answers. Written as <see cref="ModelCheckpoint.MetadataFileName"/>.
/// </summary>
/// <remarks>
/// <see cref="Kind"/> says which of <see cref="Config"/> (text) and <see cref="Vision"/> (images)
/// describes the model. Files written before vision models existed have no kind and a
/// <see cref="Config"/>: they read as <see cref="ModelKind.TextEncoder"/>, unchanged.
/// </remarks>
public sealed record CheckpointMetadata
{
    /// <summary>The format version this code writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Format version of the file; <see cref="CurrentFormatVersion"/> by default.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Which model the checkpoint holds. Default (and when absent from the file) <see cref="ModelKind.TextEncoder"/>.</summary>
    public ModelKind Kind { get; init; } = ModelKind.TextEncoder;

    /// <summary>A text encoder's architecture (<see cref="ModelKind.TextEncoder"/>); loading rebuilds the model from it before reading weights. Null for a vision model.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EncoderConfig? Config { get; init; }

    /// <summary>A vision model's architecture and pixel normalisation (<see cref="ModelKind.Vision"/>); null for a text encoder.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public VisionConfig? Vision { get; init; }

    /// <summary>The classes of the described model's exits, or 0 when the config of its kind is missing.</summary>
    [JsonIgnore]
    public int ClassCount => Kind == ModelKind.Vision ? Vision?.ClassCount ?? 0 : Config?.ClassCount ?? 0;

    /// <summary>Class names, index = class id; as many as <see cref="ClassCount"/>, and distinct (compared case-sensitively).</summary>
    public required IReadOnlyList<string> LabelNames { get; init; }

    /// <summary>The tokenizer the model was trained with, or null if not recorded.</summary>
    public TokenizerSettings? Tokenizer { get; init; }

    /// <summary>
    /// Calibration fitted for the model's exits (e.g. temperatures or PCEE reliability
    /// diagrams), stored verbatim, or null. Its schema belongs to the code that fits it.
    /// </summary>
    public JsonObject? Calibration { get; init; }

    /// <summary>
    /// SHA-256 (hex) of the weights file written with this metadata, or null in checkpoints from
    /// before it was recorded. The weights are replaced before the metadata, so a kill between the
    /// two leaves new weights beside old metadata; loading checks this to refuse that pair.
    /// </summary>
    public string? WeightsSha256 { get; init; }
}
