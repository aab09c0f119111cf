namespace EarlyExit.Cli.Models;

/// <summary>Names and defaults the commands share.</summary>
public static class TrainingDefaults
{
    /// <summary>The one architecture <c>--model</c> of <c>train</c> accepts: all-MiniLM-L6-v2 with an exit after each of its 6 layers.</summary>
    public const string MiniLm = Torch.Pretrained.AllMiniLmL6V2.ArchitectureName;

    /// <summary>The word-piece vocabulary recorded in checkpoints (the one bundled with MiniLM).</summary>
    public const string Vocabulary = Torch.Pretrained.AllMiniLmL6V2.VocabularyName;

    /// <summary>The objectives <c>--objective</c> accepts, docs/algorithms.md §3.</summary>
    public static IReadOnlyList<string> Objectives { get; } = ["joint", "beem", "two-stage", "cosee", "final", "self-distill"];

    /// <summary>
    /// The poolings <c>--pooling</c> accepts for text models: "mean" (the default: MiniLM was trained
    /// with mean pooling) and "cls" (the first token's state, what BERT's pooler and every Hugging Face
    /// <c>*ForSequenceClassification</c> head reads).
    /// </summary>
    public static IReadOnlyList<string> Poolings { get; } = ["mean", "cls"];

    /// <summary>
    /// The exit heads <c>--exit-head</c> accepts for text models: "dense" (pool, a hidden × hidden
    /// dense layer and tanh, then the classifier: BERT's pooler, the head DeeBERT and PABEE use) and
    /// "linear" (pool, then the classifier). A linear head costs 2·d·C FLOPs instead of 2·d² + 2·d·C,
    /// and on a CPU it skips reading the 384 × 384 dense weights at every exit passed.
    /// </summary>
    public static IReadOnlyList<string> ExitHeads { get; } = ["dense", "linear"];

    /// <summary>Default torch threads: 2. On a busy 2-core machine libtorch's default (one per core, plus its
    /// inter-op pool) was measured much slower than a fixed small number.</summary>
    public const int Threads = 2;

    /// <summary>Default seed, 42.</summary>
    public const int Seed = 42;

    /// <summary>Longest input in tokens by default, 128 ([CLS] and [SEP] included).</summary>
    public const int MaxLength = 128;

    /// <summary>
    /// Peak learning rate of the exit heads, 1e-3. Measured here on spam-assassin (1,200 mails, one
    /// epoch, backbone at 5e-5): with the backbone's rate for the heads too, exits 1–2 stayed at the
    /// majority class (71 % test accuracy); with 1e-3 they reached 91–94 % on validation.
    /// </summary>
    public const double HeadLearningRate = 1e-3;
}
