using EarlyExit.Torch.Models;

namespace EarlyExit.Torch.Checkpoints;

/// <summary>A model rebuilt from a checkpoint, with the metadata saved beside it.</summary>
/// <param name="Model">The model, in evaluation mode; the caller disposes it.</param>
/// <param name="Metadata">Config, label names, tokenizer settings and calibration.</param>
public sealed record LoadedCheckpoint(MultiExitEncoder Model, CheckpointMetadata Metadata);
