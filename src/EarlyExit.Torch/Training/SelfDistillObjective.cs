using static TorchSharp.torch;

namespace EarlyExit.Torch.Training;

/// <summary>
/// The self-distillation retrofit (docs/algorithms.md §3.5; FastBERT, Liu et al. 2020): the backbone
/// and the final exit are frozen, and each internal exit m &lt; M learns to match the final exit's
/// distribution, L = (1 / (M − 1)) Σ_{m&lt;M} T² · KL(p_M^T ‖ p_m^T), p^T = softmax(z / T), averaged over
/// the batch, the teacher p_M detached. No label is read, so the final exit's answers stay exactly
/// the deployed model's and any unlabelled text trains the exits.
/// </summary>
/// <remarks>
/// The T² factor is Hinton et al.'s (2015, §2): the soft targets' gradients shrink as 1 / T², so it
/// keeps their scale as the temperature changes. FastBERT uses T = 1, the default here.
/// </remarks>
public sealed record SelfDistillObjective : ITrainingObjective
{
    /// <summary>Creates the objective.</summary>
    /// <param name="temperature">T &gt; 0, finite; 1 leaves the distributions as they are, larger flattens both.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is not a finite number above 0.</exception>
    public SelfDistillObjective(double temperature = 1)
    {
        if (!(temperature > 0) || !double.IsFinite(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, $"temperature must be a finite number above 0; got {temperature}");
        Temperature = temperature;
    }

    /// <summary>T, the softmax temperature of teacher and students.</summary>
    public double Temperature { get; }

    /// <summary>"self-distill".</summary>
    public string Name => "self-distill";

    /// <summary>The targets are the final exit's own answers.</summary>
    public bool NeedsLabels => false;

    /// <summary>Needs an internal exit to train.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 exits.</exception>
    public void Validate(int exitCount, int epochCount)
    {
        if (exitCount < 2)
            throw new ArgumentOutOfRangeException(nameof(exitCount), exitCount,
                $"self-distillation needs at least 2 exits (it trains the internal ones to match the final one); got {exitCount}");
    }

    /// <summary>Every epoch trains the internal exits only: the backbone and the final head stay as deployed.</summary>
    public TrainingPhase PhaseOf(int epoch, int epochCount) => TrainingPhase.InternalExits;

    /// <summary>The mean over internal exits of T²·KL(p_M^T ‖ p_m^T), each a batch mean; <paramref name="labels"/> is not read.</summary>
    public Tensor Loss(Tensor logits, Tensor labels, TrainingStep step)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.dim() != 3 || logits.shape[0] < 2)
            throw new ArgumentException($"logits must be (exits ≥ 2, batch, classes); got shape ({string.Join(", ", logits.shape)})", nameof(logits));
        using var scope = NewDisposeScope();
        long exits = logits.shape[0];
        Tensor scaled = logits / Temperature;
        Tensor teacherLog = scaled.select(0, exits - 1).detach().log_softmax(-1);          // (batch, classes)
        Tensor students = scaled.narrow(0, 0, exits - 1).log_softmax(-1);                 // (exits − 1, batch, classes)
        // KL(p ‖ q) = Σ_c p_c (log p_c − log q_c), per exit and row: (exits − 1, batch).
        Tensor kl = (teacherLog.exp() * (teacherLog - students)).sum(-1);
        return (kl.mean() * (Temperature * Temperature)).MoveToOuterDisposeScope();
    }
}
