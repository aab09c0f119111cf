using static TorchSharp.torch;

namespace EarlyExit.Torch.Training;

/// <summary>
/// A plain classifier's fine-tuning (docs/algorithms.md §3.5): the cross-entropy of the final exit
/// alone, the backbone and the final head trained, the internal heads frozen and untouched. What a
/// user who never heard of early exits has: the model the self-distillation retrofit (§3.5) then
/// adds exits to, without changing one of its answers. DeeBERT's stage 1 (§3.3) for a whole run.
/// </summary>
public sealed record FinalExitObjective : ITrainingObjective
{
    /// <summary>"final".</summary>
    public string Name => "final";

    /// <summary>Every epoch trains the backbone and the final head only.</summary>
    public TrainingPhase PhaseOf(int epoch, int epochCount) => TrainingPhase.FinalExit;

    /// <summary>CE of the final exit, the batch mean.</summary>
    public Tensor Loss(Tensor logits, Tensor labels, TrainingStep step)
    {
        using var scope = NewDisposeScope();
        return ExitLosses.PerSample(logits, labels).mean([1]).select(0, -1).MoveToOuterDisposeScope();
    }
}
