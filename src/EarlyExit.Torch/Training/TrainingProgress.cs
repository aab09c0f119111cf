namespace EarlyExit.Torch.Training;

/// <summary>
/// Reported after every training step and after every epoch's validation, for progress bars.
/// </summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="EpochCount">Epochs of the run.</param>
/// <param name="Step">1-based step within the epoch (equal to <paramref name="StepsPerEpoch"/> at its end).</param>
/// <param name="StepsPerEpoch">Steps of one epoch: ⌈examples / batch size⌉.</param>
/// <param name="GlobalStep">Steps taken in the whole run, resumed ones included.</param>
/// <param name="TotalSteps">Steps of the whole run.</param>
/// <param name="Phase">What the epoch trains.</param>
/// <param name="Loss">This step's loss; NaN on the validation report.</param>
/// <param name="MeanLoss">Mean loss of the epoch's steps so far.</param>
/// <param name="ExamplesPerSecond">Training throughput of the epoch so far.</param>
/// <param name="LearningRate">The rate this step used; NaN on the validation report.</param>
/// <param name="Validation">Null after a step; the epoch's validation result on the report that follows it.</param>
public sealed record TrainingProgress(
    int Epoch,
    int EpochCount,
    int Step,
    int StepsPerEpoch,
    long GlobalStep,
    long TotalSteps,
    TrainingPhase Phase,
    double Loss,
    double MeanLoss,
    double ExamplesPerSecond,
    double LearningRate,
    ValidationResult? Validation = null);
