using EarlyExit.Cli.Models;
using EarlyExit.Onnx.Runtime;

namespace EarlyExit.Cli.Commands;

/// <summary>What <c>earlyexit evaluate</c> was asked to do.</summary>
public sealed record EvaluateSettings
{
    /// <summary>The model folder (<c>--model</c>), calibrated.</summary>
    public required string Model { get; init; }

    /// <summary>The <c>--data</c> spec.</summary>
    public required string Data { get; init; }

    /// <summary>"test" (default) or "validation".</summary>
    public string Split { get; init; } = "test";

    /// <summary>Where to write the JSON rows, or null.</summary>
    public string? Json { get; init; }

    /// <summary>A smaller model folder trained on the same data to compare with (<c>--compare</c>, PCEE's claim), or null.</summary>
    public string? Compare { get; init; }

    /// <summary>The risk-control check (<c>--resample</c> and its options), or null to skip it.</summary>
    public Evaluation.ResampleRequest? Resample { get; init; }

    /// <summary><c>--strict</c>: refuse text data with rows that are not valid UTF-8 when it is read to record a trace. Default false.</summary>
    public bool Strict { get; init; }

    /// <summary>Seed of torch's generator. Default 42.</summary>
    public int Seed { get; init; } = TrainingDefaults.Seed;

    /// <summary>Torch threads. Default 2.</summary>
    public int Threads { get; init; } = TrainingDefaults.Threads;

    /// <summary>Which library computes the layers (<c>--backend</c>). Default TorchSharp.</summary>
    public InferenceBackend Backend { get; init; } = InferenceBackend.Torch;

    /// <summary>ONNX Runtime threads (<c>--onnx-threads</c>), ≥ 0; null for the <see cref="Threads"/> value. Only with <see cref="InferenceBackend.Onnx"/>.</summary>
    public int? OnnxThreads { get; init; }

    /// <summary><c>--precision</c>: fp32 (default) or int8 (ONNX backend): the traces are recorded, and the policies measured, at that precision.</summary>
    public string Precision { get; init; } = "fp32";
}
