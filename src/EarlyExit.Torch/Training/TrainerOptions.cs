using System.Globalization;

namespace EarlyExit.Torch.Training;

/// <summary>
/// How <see cref="MultiExitTrainer"/> trains: optimiser, schedule, batches, seed, what is frozen
/// and where checkpoints go. Defaults follow BERT fine-tuning and COSEE §4.3.
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>Passes over the training set (every stage included for two-stage). Default 3.</summary>
    public int Epochs { get; init; } = 3;

    /// <summary>Examples per optimisation step. Default 32 (COSEE's grid: 16, 32, 128).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Examples per forward pass when evaluating. Default 64.</summary>
    public int EvaluationBatchSize { get; init; } = 64;

    /// <summary>
    /// Peak learning rate of AdamW. Default 2e-5 (COSEE's grid: 1e-5 … 5e-5, for full
    /// fine-tuning); exit heads alone (<see cref="FreezeBackbone"/>) train well with about 1e-3.
    /// </summary>
    public double LearningRate { get; init; } = 2e-5;

    /// <summary>
    /// Peak learning rate of the exit heads; null (the default) means <see cref="LearningRate"/>.
    /// Freshly initialised heads on a pretrained backbone learn far faster with a larger rate
    /// (e.g. 1e-3) than the backbone can take: with one small rate the early exits of a short
    /// fine-tuning run stay near the majority class. The same schedule scales both.
    /// </summary>
    public double? HeadLearningRate { get; init; }

    /// <summary>
    /// AdamW's decoupled weight decay (Loshchilov and Hutter 2019). Default 0.01 (BERT's). Biases
    /// and LayerNorm weights are not decayed (our choice, as BERT and Hugging Face do).
    /// </summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>AdamW's β1. Default 0.9.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>AdamW's β2. Default 0.999.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>AdamW's ε. Default 1e-8.</summary>
    public double AdamEpsilon { get; init; } = 1e-8;

    /// <summary>Share of each stage's steps spent warming the learning rate up linearly, in [0, 1). Default 0.1 (BERT's); then it decays linearly (see <see cref="LearningRateSchedule"/>).</summary>
    public double WarmupFraction { get; init; } = 0.1;

    /// <summary>Clip the gradients' global L2 norm to this; 0 disables. Default 1.0.</summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>
    /// Seeds the shuffling of every epoch and, before every step, torch's generator (dropout,
    /// COSEE's thresholds) and the training set's augmentation, all as functions of (seed, epoch
    /// or step) so a resumed run repeats
    /// the uninterrupted one exactly. Default 42. The model's initial weights are the caller's.
    /// </summary>
    public int Seed { get; init; } = 42;

    /// <summary>Train only the exit heads; the backbone (embeddings and layers) stays as it is. Default false (full fine-tuning).</summary>
    public bool FreezeBackbone { get; init; }

    /// <summary>
    /// Whether a stage that does not train the backbone (<see cref="FreezeBackbone"/>, two-stage's
    /// second stage, self-distillation) runs it once over the examples and trains the heads on what
    /// they read (docs/algorithms.md §3.6), instead of running it again every epoch. Default true;
    /// false reproduces head-only training through the whole network, backbone dropout included.
    /// Networks that are not <see cref="IHeadInputNetwork"/>s always run the whole network.
    /// </summary>
    public bool CacheHeadInputs { get; init; } = true;

    /// <summary>
    /// Where checkpoints go, or null for none: <c>best/</c> (the best validation epoch) and
    /// <c>last/</c> (everything needed to resume). Default null.
    /// </summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Also write <c>last/</c> every this many steps (besides every epoch end and on stop); 0 = only then. Default 0.</summary>
    public int CheckpointEverySteps { get; init; }

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it and its value.</exception>
    public void Validate()
    {
        AtLeastOne(Epochs, nameof(Epochs));
        AtLeastOne(BatchSize, nameof(BatchSize));
        AtLeastOne(EvaluationBatchSize, nameof(EvaluationBatchSize));
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
            throw Range(nameof(LearningRate), LearningRate, "a finite number above 0");
        if (HeadLearningRate is { } head && (!(head > 0) || !double.IsFinite(head)))
            throw Range(nameof(HeadLearningRate), head, "a finite number above 0, or null for LearningRate");
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay))
            throw Range(nameof(WeightDecay), WeightDecay, "a finite number at least 0");
        if (!(Beta1 >= 0 && Beta1 < 1)) throw Range(nameof(Beta1), Beta1, "in [0, 1)");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw Range(nameof(Beta2), Beta2, "in [0, 1)");
        if (!(AdamEpsilon > 0) || !double.IsFinite(AdamEpsilon)) throw Range(nameof(AdamEpsilon), AdamEpsilon, "a finite number above 0");
        if (!(WarmupFraction >= 0 && WarmupFraction < 1)) throw Range(nameof(WarmupFraction), WarmupFraction, "in [0, 1)");
        if (!(MaxGradNorm >= 0) || !double.IsFinite(MaxGradNorm)) throw Range(nameof(MaxGradNorm), MaxGradNorm, "a finite number at least 0");
        if (CheckpointEverySteps < 0)
            throw new ArgumentOutOfRangeException(nameof(CheckpointEverySteps), CheckpointEverySteps, $"CheckpointEverySteps must be at least 0; got {CheckpointEverySteps}");
    }

    private static void AtLeastOne(int value, string name)
    {
        if (value < 1) throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1; got {value}");
    }

    private static ArgumentOutOfRangeException Range(string name, double value, string rule) =>
        new(name, value, $"{name} must be {rule}; got {value.ToString(CultureInfo.InvariantCulture)}");
}
