using static TorchSharp.torch;

namespace EarlyExit.Torch.Training;

/// <summary>
/// BEEM eq. 1 (distillation): L_m = CE_m + KL(p_M ‖ p_m), the final exit's distribution p_M
/// a stop-gradient teacher, combined with the depth weights of <see cref="JointObjective"/>:
/// L = Σ_m m·L_m / Σ_m m (docs/algorithms.md §3).
/// </summary>
/// <remarks>
/// The paper writes KL(p_i, p_L); docs/algorithms.md §3 fixes the direction as KL(teacher ‖ student) =
/// Σ_c p_M,c (log p_M,c − log p_m,c), the usual distillation loss, without temperature (the
/// paper gives none). The final exit's KL to itself is 0, so its L_M is plain CE; the teacher
/// is detached, so the final head learns from the labels only.
/// </remarks>
public sealed record BeemObjective : ITrainingObjective
{
    /// <summary>"beem".</summary>
    public string Name => "beem";

    /// <inheritdoc/>
    public Tensor Loss(Tensor logits, Tensor labels, TrainingStep step)
    {
        using var scope = NewDisposeScope();
        Tensor ce = ExitLosses.PerSample(logits, labels).mean([1]); // (exits)
        Tensor logP = logits.log_softmax(-1);                         // (exits, batch, classes)
        Tensor teacherLog = logP.select(0, -1).detach();                      // (batch, classes), stop-gradient
        Tensor teacher = teacherLog.exp();
        // KL(p_M ‖ p_m) per exit, averaged over the batch: (exits, batch, classes) → (exits).
        Tensor kl = (teacher.unsqueeze(0) * (teacherLog.unsqueeze(0) - logP)).sum(-1).mean([1]);
        return ExitLosses.DepthWeightedMean(ce + kl).MoveToOuterDisposeScope();
    }
}
