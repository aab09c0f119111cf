using EarlyExit.Cli.Models;

namespace EarlyExit.Cli.Commands;

/// <summary>What <c>earlyexit report</c> was asked to do.</summary>
public sealed record ReportSettings
{
    /// <summary>The model folder (<c>--model</c>), calibrated.</summary>
    public required string Model { get; init; }

    /// <summary>The <c>--data</c> spec.</summary>
    public required string Data { get; init; }

    /// <summary>The report folder (<c>--out</c>).</summary>
    public required string Out { get; init; }

    /// <summary>"test" (default) or "validation".</summary>
    public string Split { get; init; } = "test";

    /// <summary>A smaller model folder trained on the same data to compare with (<c>--compare</c>, PCEE's claim), or null.</summary>
    public string? Compare { get; init; }

    /// <summary>The risk-control check (<c>--resample</c> and its options), or null to leave it out of the report.</summary>
    public Evaluation.ResampleRequest? Resample { get; init; }

    /// <summary><c>--strict</c>: refuse text data with rows that are not valid UTF-8 when it is read to record a trace. Default false.</summary>
    public bool Strict { get; init; }

    /// <summary>Seed of torch's generator. Default 42.</summary>
    public int Seed { get; init; } = TrainingDefaults.Seed;

    /// <summary>Torch threads. Default 2.</summary>
    public int Threads { get; init; } = TrainingDefaults.Threads;
}
