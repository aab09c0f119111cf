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

    /// <summary><c>--risk</c>: "measure:ε" to store a risk-controlled policy, or null (none).</summary>
    public string? Risk { get; init; }

    /// <summary><c>--confidence</c>: 1 − δ for <see cref="Risk"/>. Default 0.9.</summary>
    public double Confidence { get; init; } = Core.RiskControl.RiskLimit.DefaultConfidence;

    /// <summary><c>--risk-policy</c>: the family Learn-then-Test searches. Default max-prob.</summary>
    public string RiskPolicy { get; init; } = Core.RiskControl.RiskFamilies.DefaultFamily;

    /// <summary><c>--beem-lambda</c>: λ of BEEM-C's weights w_m = λ·m; null = 1/M (docs/algorithms.md §2.3).</summary>
    public double? BeemLambda { get; init; }

    /// <summary><c>--beem-alphas</c>: eq. 3's candidate thresholds, comma-separated; null = the paper's {0.5, 1, …, 5, M}.</summary>
    public string? BeemAlphas { get; init; }

    /// <summary><c>--beem-min-count</c>: eq. 3's minimum number of validation samples stopping at an α. Default 1 (the paper's rule).</summary>
    public int BeemMinCount { get; init; } = 1;

    /// <summary><c>--pcee-ws-width</c>: PCEE-WS's smoothing half-width in bins. Default 1.</summary>
    public int PceeWsWidth { get; init; } = Core.Calibration.ExitCalibration.DefaultPceeWsHalfWidth;

    /// <summary><c>--strict</c>: refuse text data with rows that are not valid UTF-8 when it is read to record a trace. Default false.</summary>
    public bool Strict { get; init; }

    /// <summary>Seed of torch's generator. Default 42.</summary>
    public int Seed { get; init; } = TrainingDefaults.Seed;

    /// <summary>Torch threads. Default 2.</summary>
    public int Threads { get; init; } = TrainingDefaults.Threads;
}
