namespace EarlyExit.Torch.Training;

/// <summary>The outcome of <see cref="MultiExitTrainer.Train(ITrainingSet, ITrainingSet?, IProgress{TrainingProgress}?, CancellationToken)"/> or <see cref="MultiExitTrainer.Resume(string, ITrainingSet, ITrainingSet?, IProgress{TrainingProgress}?, CancellationToken)"/> (and their overloads for tokenized text).</summary>
/// <param name="Completed">False when stopped by the cancellation token before the last step.</param>
/// <param name="GlobalStep">Steps taken in the whole run so far, resumed ones included.</param>
/// <param name="Epochs">The epochs finished in this call.</param>
/// <param name="BestEpoch">0-based epoch with the best validation mean accuracy so far (the run's, resumes included), or null.</param>
/// <param name="BestDirectory">The checkpoint of <paramref name="BestEpoch"/>, or null when none was written.</param>
/// <param name="ResumeDirectory">The resume state written last, or null without an output directory.</param>
public sealed record TrainingResult(
    bool Completed,
    long GlobalStep,
    IReadOnlyList<EpochResult> Epochs,
    int? BestEpoch,
    string? BestDirectory,
    string? ResumeDirectory);
