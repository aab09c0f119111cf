namespace EarlyExit.Torch.Training;

/// <summary>What one finished epoch did.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Phase">What it trained.</param>
/// <param name="MeanLoss">Mean training loss over its steps (all of them, also when it was resumed mid-epoch).</param>
/// <param name="Validation">The validation result after it, or null without a validation set.</param>
/// <param name="IsBest">True when its validation mean accuracy was the best so far (and its weights were saved to <c>best/</c>).</param>
/// <param name="Seconds">Wall-clock seconds of its training steps (validation excluded).</param>
public sealed record EpochResult(int Epoch, TrainingPhase Phase, double MeanLoss, ValidationResult? Validation, bool IsBest, double Seconds);
