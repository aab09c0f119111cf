using System.Text.Json.Nodes;

namespace EarlyExit.Torch.Training;

/// <summary>
/// The resume file <c>trainer-state.json</c>: where the run stopped and what must match to go on.
/// </summary>
internal sealed record TrainerState
{
    public const int CurrentFormatVersion = 1;
    public int FormatVersion { get; init; } = CurrentFormatVersion;
    public required string Objective { get; init; }
    public required int Seed { get; init; }
    public required int Epochs { get; init; }
    public required int BatchSize { get; init; }
    public required int TrainingExamples { get; init; }
    public required bool FreezeBackbone { get; init; }

    /// <summary>Epoch and 0-based step within it of the next step to take.</summary>
    public required int Epoch { get; init; }
    public required int StepInEpoch { get; init; }
    public required long GlobalStep { get; init; }

    /// <summary>First epoch of the stage whose optimiser state <c>optimizer.bin</c> holds.</summary>
    public required int OptimizerStageStart { get; init; }
    public double? BestMeanAccuracy { get; init; }
    public int? BestEpoch { get; init; }
    public JsonNode? ObjectiveState { get; init; }

    // Added after format 1 shipped; a state without them reads as an epoch with no steps yet and
    // no finished epochs (the old behaviour), so the version stays 1.

    /// <summary>The unfinished epoch's steps so far: the sum of their losses, their count, examples and seconds.</summary>
    public double EpochLossSum { get; init; }
    public int EpochSteps { get; init; }
    public int EpochExamples { get; init; }
    public double EpochSeconds { get; init; }

    /// <summary>The finished epochs' results, so that a resumed run's history is complete.</summary>
    public List<EpochResult>? EpochResults { get; init; }
}
