using EarlyExit.Cli.Models;

namespace EarlyExit.Cli.Commands;

/// <summary>What <c>earlyexit train</c> was asked to do; the defaults are the command line's.</summary>
public sealed record TrainSettings
{
    /// <summary>The <c>--data</c> spec, e.g. "spam-assassin" or "csv:mails.csv".</summary>
    public required string Data { get; init; }

    /// <summary>The model folder to write (<c>--out</c>).</summary>
    public required string Out { get; init; }

    /// <summary>Architecture: "minilm" (text), or "vit-small", "vit-large", "cnn-small", "cnn-large" (images, from scratch).</summary>
    public string Model { get; init; } = TrainingDefaults.MiniLm;

    /// <summary>joint, beem, two-stage, cosee or final (a plain classifier: the final exit only). Default joint.</summary>
    public string Objective { get; init; } = "joint";

    /// <summary>Text models' exit head: "dense" (default) or "linear" (<see cref="TrainingDefaults.ExitHeads"/>).</summary>
    public string ExitHead { get; init; } = "dense";

    /// <summary>Text models' pooling: "mean" or "cls" (<see cref="TrainingDefaults.Poolings"/>); null for the model's own
    /// (mean for MiniLM, cls for a Hugging Face classifier, whose head reads [CLS]).</summary>
    public string? Pooling { get; init; }

    /// <summary>The softmax temperature of <c>--objective self-distill</c> (docs/algorithms.md §3.5), or null for 1.</summary>
    public double? Temperature { get; init; }

    /// <summary><c>--cosee-*</c>: the options of <c>--objective cosee</c> (docs/algorithms.md §3.4); empty = the paper's.</summary>
    public CoseeSettings Cosee { get; init; } = new();

    /// <summary>Whether head-only stages run the whole network every epoch instead of training on the head-input cache (docs/algorithms.md §3.6).</summary>
    public bool NoHeadCache { get; init; }

    /// <summary>Passes over the training set. Default 3 (two-stage: the first half trains the final exit).</summary>
    public int Epochs { get; init; } = 3;

    /// <summary>Examples per step. Default 16 (fits a CPU's caches better than 32 at the same learning rate).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Peak learning rate; null = 2e-5 for full fine-tuning, 1e-3 with <see cref="FreezeBackbone"/> or for a vision model trained from scratch.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Peak learning rate of the exit heads; null = <see cref="Models.TrainingDefaults.HeadLearningRate"/>.</summary>
    public double? HeadLearningRate { get; init; }

    /// <summary>Longest input in tokens. Default 128.</summary>
    public int MaxLength { get; init; } = TrainingDefaults.MaxLength;

    /// <summary>Train on a seeded random subset of this many training examples; null = all.</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Train the exit heads only.</summary>
    public bool FreezeBackbone { get; init; }

    /// <summary>Vision models: random crop (2 pixels of padding) and horizontal flip of training images, seeded. Default false.</summary>
    public bool Augment { get; init; }

    /// <summary><c>--strict</c>: refuse text data with rows that are not valid UTF-8 instead of warning. Default false.</summary>
    public bool Strict { get; init; }

    /// <summary>Seeds head initialisation, shuffling and dropout (not the data split). Default 42.</summary>
    public int Seed { get; init; } = TrainingDefaults.Seed;

    /// <summary>Torch threads. Default 2.</summary>
    public int Threads { get; init; } = TrainingDefaults.Threads;
}
