using System.Text.Json.Nodes;
using EarlyExit.Torch.Models;

namespace EarlyExit.Torch.Checkpoints;

/// <summary>
/// Everything a checkpoint stores beside the weights: what is needed to rebuild the model and
/// to turn its outputs into answers. Written as <see cref="ModelCheckpoint.MetadataFileName"/>.
/// </summary>
public sealed record CheckpointMetadata
{
    /// <summary>The format version this code writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Format version of the file; <see cref="CurrentFormatVersion"/> by default.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>The architecture; loading rebuilds the model from it before reading weights.</summary>
    public required EncoderConfig Config { get; init; }

    /// <summary>Class names, index = class id; as many as <see cref="EncoderConfig.ClassCount"/>.</summary>
    public required IReadOnlyList<string> LabelNames { get; init; }

    /// <summary>The tokenizer the model was trained with, or null if not recorded.</summary>
    public TokenizerSettings? Tokenizer { get; init; }

    /// <summary>
    /// Calibration fitted for the model's exits (e.g. temperatures or PCEE reliability
    /// diagrams), stored verbatim, or null. Its schema belongs to the code that fits it.
    /// </summary>
    public JsonObject? Calibration { get; init; }
}
