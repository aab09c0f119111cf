using EarlyExit.Cli.Models;

namespace EarlyExit.Cli.Commands;

/// <summary>What <c>earlyexit demo</c> runs; the defaults are the budget that ends within 15 minutes on 2 cores.</summary>
public sealed record DemoSettings
{
    /// <summary>The demo's folder: <c>model/</c>, <c>evaluation.json</c> and <c>report/</c> go in it. Default "earlyexit-demo".</summary>
    public string Out { get; init; } = "earlyexit-demo";

    /// <summary>Training examples: a seeded subset of spam-assassin's train split. Default 800 (of 4,136).</summary>
    public int TrainLimit { get; init; } = DemoCommand.DefaultTrainLimit;

    /// <summary>Longest input in tokens. Default 128.</summary>
    public int MaxLength { get; init; } = TrainingDefaults.MaxLength;

    /// <summary>Epochs. Default 1.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Seed of head initialisation, shuffling and dropout. Default 42.</summary>
    public int Seed { get; init; } = TrainingDefaults.Seed;

    /// <summary>Torch threads. Default 2.</summary>
    public int Threads { get; init; } = TrainingDefaults.Threads;
}
