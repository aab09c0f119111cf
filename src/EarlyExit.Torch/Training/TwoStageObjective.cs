using static TorchSharp.torch;

namespace EarlyExit.Torch.Training;

/// <summary>
/// DeeBERT's two-stage training (Xin et al. 2020; docs/algorithms.md §3). Stage 1, the first
/// <see cref="FirstStageEpochs"/> epochs: fine-tune the backbone and the final head on the
/// final exit's cross-entropy. Stage 2, the remaining epochs: freeze the backbone (and the
/// final head) and train the internal heads on Σ_{m&lt;M} CE_m.
/// </summary>
/// <remarks>
/// The trainer freezes what <see cref="PhaseOf"/> says and starts a fresh optimiser and
/// learning-rate schedule at the start of stage 2, as DeeBERT's separate second run does.
/// Stage 2 sums the internal exits' losses as DeeBERT does; with the backbone frozen each head's
/// gradient is its own loss's, so the sum trains every head independently.
/// </remarks>
public sealed record TwoStageObjective : ITrainingObjective
{
    /// <summary>Creates the objective.</summary>
    /// <param name="firstStageEpochs">Epochs of stage 1; at least 1 and fewer than the run's epochs.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="firstStageEpochs"/> is below 1.</exception>
    public TwoStageObjective(int firstStageEpochs)
    {
        if (firstStageEpochs < 1)
            throw new ArgumentOutOfRangeException(nameof(firstStageEpochs), firstStageEpochs,
                $"firstStageEpochs must be at least 1; got {firstStageEpochs}");
        FirstStageEpochs = firstStageEpochs;
    }

    /// <summary>Epochs of stage 1 (backbone + final head); the rest of the run is stage 2.</summary>
    public int FirstStageEpochs { get; }

    /// <summary>"two-stage".</summary>
    public string Name => "two-stage";

    /// <summary>Needs at least two exits and at least one epoch for each stage.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 exits, or no epoch left for stage 2.</exception>
    public void Validate(int exitCount, int epochCount)
    {
        if (exitCount < 2)
            throw new ArgumentOutOfRangeException(nameof(exitCount), exitCount,
                $"two-stage training needs at least 2 exits (stage 2 trains the internal ones); got {exitCount}");
        if (epochCount <= FirstStageEpochs)
            throw new ArgumentOutOfRangeException(nameof(epochCount), epochCount,
                $"epochs must exceed the {FirstStageEpochs} epoch(s) of stage 1 so stage 2 has at least one; got {epochCount}");
    }

    /// <inheritdoc/>
    public TrainingPhase PhaseOf(int epoch, int epochCount) =>
        epoch < FirstStageEpochs ? TrainingPhase.FinalExit : TrainingPhase.InternalExits;

    /// <summary>Stage 1: CE of the final exit. Stage 2: Σ_{m&lt;M} CE_m (batch means).</summary>
    /// <exception cref="ArgumentException"><paramref name="step"/>'s phase is <see cref="TrainingPhase.AllExits"/>.</exception>
    public Tensor Loss(Tensor logits, Tensor labels, TrainingStep step)
    {
        using var scope = NewDisposeScope();
        Tensor perExit = ExitLosses.PerSample(logits, labels).mean([1]); // (exits)
        Tensor loss = step.Phase switch
        {
            TrainingPhase.FinalExit => perExit.select(0, -1),
            TrainingPhase.InternalExits => perExit.narrow(0, 0, perExit.shape[0] - 1).sum(),
            _ => throw new ArgumentException($"two-stage training runs in phase FinalExit or InternalExits; got {step.Phase}", nameof(step)),
        };
        return loss.MoveToOuterDisposeScope();
    }
}
