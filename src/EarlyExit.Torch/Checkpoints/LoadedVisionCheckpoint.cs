using EarlyExit.Torch.Models.Vision;

namespace EarlyExit.Torch.Checkpoints;

/// <summary>A vision model rebuilt from a checkpoint, with the metadata saved beside it.</summary>
/// <param name="Model">The ViT or CNN, in evaluation mode; the caller disposes it.</param>
/// <param name="Metadata">Kind, vision config, label names and calibration.</param>
public sealed record LoadedVisionCheckpoint(MultiExitVisionModel Model, CheckpointMetadata Metadata);
