namespace EarlyExit.Torch.Checkpoints;

/// <summary>Which model a checkpoint holds, so loading rebuilds the right one.</summary>
public enum ModelKind
{
    /// <summary>A <see cref="Models.MultiExitEncoder"/> described by <see cref="CheckpointMetadata.Config"/>; what a checkpoint without a kind holds.</summary>
    TextEncoder,

    /// <summary>A <see cref="Models.Vision.MultiExitVisionModel"/> described by <see cref="CheckpointMetadata.Vision"/>.</summary>
    Vision,
}
