namespace EarlyExit.Torch.Training;

/// <summary>Where a run stands between two steps: what <see cref="ResumeState"/> saves beside the weights and what a resumed run starts from.</summary>
/// <param name="Epoch">The epoch of the next step.</param>
/// <param name="StepInEpoch">The 0-based step within it.</param>
/// <param name="GlobalStep">Steps taken so far.</param>
/// <param name="OptimizerStageStart">First epoch of the stage whose optimiser state is saved with it.</param>
/// <param name="BestMeanAccuracy">The best validation mean accuracy so far, or null.</param>
/// <param name="BestEpoch">Its epoch, or null.</param>
/// <param name="Partial">The loss and time of the steps already taken in <paramref name="Epoch"/>, so that its mean loss covers them all.</param>
/// <param name="Finished">The results of the epochs before <paramref name="Epoch"/>, so that a resumed run reports the whole history.</param>
internal readonly record struct ResumePoint(int Epoch, int StepInEpoch, long GlobalStep, int OptimizerStageStart,
    double? BestMeanAccuracy, int? BestEpoch, PartialEpoch Partial, IReadOnlyList<EpochResult> Finished);

/// <summary>What the steps taken so far in an unfinished epoch add up to.</summary>
/// <param name="LossSum">The sum of their losses.</param>
/// <param name="Steps">How many there were.</param>
/// <param name="Examples">The examples they trained on.</param>
/// <param name="Seconds">Their wall-clock seconds.</param>
internal readonly record struct PartialEpoch(double LossSum, int Steps, int Examples, double Seconds);
