using EarlyExit.Cli.Models;
using EarlyExit.Onnx.Runtime;

namespace EarlyExit.Cli.Commands;

/// <summary>What <c>earlyexit predict</c> was asked to do.</summary>
public sealed record PredictSettings
{
    /// <summary>The model folder (<c>--model</c>).</summary>
    public required string Model { get; init; }

    /// <summary>The texts to classify; empty = read stdin, one text per line.</summary>
    public IReadOnlyList<string> Texts { get; init; } = [];

    /// <summary>A catalog policy name, or null for the calibrated default (max-prob before calibrate).</summary>
    public string? Policy { get; init; }

    /// <summary>The policy's parameter, or null for its default.</summary>
    public double? Parameter { get; init; }

    /// <summary>Seed of torch's generator. Default 42.</summary>
    public int Seed { get; init; } = TrainingDefaults.Seed;

    /// <summary>Torch threads. Default 2.</summary>
    public int Threads { get; init; } = TrainingDefaults.Threads;

    /// <summary>Which library computes the layers (<c>--backend</c>). Default TorchSharp.</summary>
    public InferenceBackend Backend { get; init; } = InferenceBackend.Torch;

    /// <summary>ONNX Runtime threads (<c>--onnx-threads</c>), ≥ 0; null for the <see cref="Threads"/> value. Only with <see cref="InferenceBackend.Onnx"/>.</summary>
    public int? OnnxThreads { get; init; }

    /// <summary><c>--precision</c>: fp32 or int8 (ONNX backend).</summary>
    public string Precision { get; init; } = "fp32";
}
