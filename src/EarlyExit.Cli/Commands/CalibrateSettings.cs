using EarlyExit.Cli.Models;

namespace EarlyExit.Cli.Commands;

/// <summary>What <c>earlyexit calibrate</c> was asked to do.</summary>
public sealed record CalibrateSettings
{
    /// <summary>The model folder (<c>--model</c>).</summary>
    public required string Model { get; init; }

    /// <summary>The <c>--data</c> spec; its validation split is used.</summary>
    public required string Data { get; init; }

    /// <summary>Reliability-diagram bins. Default 10.</summary>
    public int Bins { get; init; } = Core.Calibration.ReliabilityDiagram.DefaultBinCount;

    /// <summary>What PCEE's diagrams count (<c>--pcee-target</c>): "correctness" (default) or "agreement" with the final exit.</summary>
    public string PceeTarget { get; init; } = "correctness";

    /// <summary><c>--strict</c>: refuse text data with rows that are not valid UTF-8 when it is read to record a trace. Default false.</summary>
    public bool Strict { get; init; }

    /// <summary>Seed of torch's generator. Default 42.</summary>
    public int Seed { get; init; } = TrainingDefaults.Seed;

    /// <summary>Torch threads. Default 2.</summary>
    public int Threads { get; init; } = TrainingDefaults.Threads;
}
