using static TorchSharp.torch;

namespace EarlyExit.Torch.Training;

/// <summary>
/// Joint weighted cross-entropy (docs/algorithms.md §3; Kaya et al. 2019, PABEE, BEEM's code):
/// L = Σ_m m·L_m / Σ_m m, L_m the mean cross-entropy of exit m (1-based), so deeper exits,
/// which cost more to reach, weigh more.
/// </summary>
public sealed record JointObjective : ITrainingObjective
{
    /// <summary>"joint".</summary>
    public string Name => "joint";

    /// <inheritdoc/>
    public Tensor Loss(Tensor logits, Tensor labels, TrainingStep step)
    {
        using var scope = NewDisposeScope();
        Tensor perExit = ExitLosses.PerSample(logits, labels).mean([1]); // (exits)
        return ExitLosses.DepthWeightedMean(perExit).MoveToOuterDisposeScope();
    }
}
