namespace EarlyExit.Torch.Training;

/// <summary>Where a run stands between two steps: what <see cref="ResumeState"/> saves beside the weights and what a resumed run starts from.</summary>
/// <param name="Epoch">The epoch of the next step.</param>
/// <param name="StepInEpoch">The 0-based step within it.</param>
/// <param name="GlobalStep">Steps taken so far.</param>
/// <param name="OptimizerStageStart">First epoch of the stage whose optimiser state is saved with it.</param>
/// <param name="BestMeanAccuracy">The best validation mean accuracy so far, or null.</param>
/// <param name="BestEpoch">Its epoch, or null.</param>
internal readonly record struct ResumePoint(int Epoch, int StepInEpoch, long GlobalStep, int OptimizerStageStart,
    double? BestMeanAccuracy, int? BestEpoch);
