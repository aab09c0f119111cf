using System.Text.Json;
using EarlyExit.Core.IO;
using EarlyExit.Torch.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Training;

/// <summary>
/// The resume state of a run, a <c>last/</c> directory: a <see cref="ModelCheckpoint"/> of the
/// weights, the optimiser's state (<see cref="MultiExitTrainer.OptimizerFileName"/>, TorchSharp's
/// format: AdamW's step count and both moments) and <see cref="MultiExitTrainer.StateFileName"/>
/// (a <see cref="TrainerState"/>: where the run stopped, the objective's state, and what must
/// match for another run to go on from it).
/// </summary>
/// <param name="network">The model whose weights are saved and restored.</param>
/// <param name="metadata">What the checkpoint stores beside the weights.</param>
/// <param name="objective">The objective, whose name must match and whose state is kept.</param>
/// <param name="options">The run's options; seed, epochs, batch size and freezing must match.</param>
internal sealed class ResumeState(IMultiExitNetwork network, CheckpointMetadata metadata, ITrainingObjective objective, TrainerOptions options)
{
    // Named literals: an epoch's loss may be NaN (no steps run), which plain JSON numbers cannot hold.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Writes the weights, <paramref name="optimizer"/>'s state and the trainer state as a new
    /// generation of <paramref name="directory"/> (<see cref="AtomicDirectory"/>): a kill on the way
    /// leaves the previous whole state, never new weights beside an old step count.
    /// </summary>
    /// <param name="directory">The <c>last/</c> directory.</param>
    /// <param name="optimizer">The current stage's optimiser.</param>
    /// <param name="trainingExamples">The number of training examples, checked on resume.</param>
    /// <param name="point">Where the run stands.</param>
    internal void Save(string directory, AdamW optimizer, int trainingExamples, ResumePoint point) =>
        AtomicDirectory.Replace(directory, fresh => SaveInto(fresh, optimizer, trainingExamples, point));

    private void SaveInto(string directory, AdamW optimizer, int trainingExamples, ResumePoint point)
    {
        ModelCheckpoint.Save(network, metadata, directory);
        AtomicFile.Write(Path.Combine(directory, MultiExitTrainer.OptimizerFileName), stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            optimizer.save_state_dict(writer);
        });
        var state = new TrainerState
        {
            Objective = objective.Name,
            Seed = options.Seed,
            Epochs = options.Epochs,
            BatchSize = options.BatchSize,
            TrainingExamples = trainingExamples,
            FreezeBackbone = options.FreezeBackbone,
            Epoch = point.Epoch,
            StepInEpoch = point.StepInEpoch,
            GlobalStep = point.GlobalStep,
            OptimizerStageStart = point.OptimizerStageStart,
            BestMeanAccuracy = point.BestMeanAccuracy,
            BestEpoch = point.BestEpoch,
            ObjectiveState = objective.SaveState(),
            EpochLossSum = point.Partial.LossSum,
            EpochSteps = point.Partial.Steps,
            EpochExamples = point.Partial.Examples,
            EpochSeconds = point.Partial.Seconds,
            EpochResults = [.. point.Finished],
        };
        AtomicFile.Write(Path.Combine(directory, MultiExitTrainer.StateFileName), stream => JsonSerializer.Serialize(stream, state, Json));
    }

    /// <summary>
    /// Checks that the state in <paramref name="directory"/> belongs to this run, then restores the
    /// weights and the objective's state. The optimiser's state waits for
    /// <see cref="LoadOptimizer"/>: it exists only once the stage's optimiser is built.
    /// </summary>
    /// <param name="directory">A <c>last/</c> directory.</param>
    /// <param name="trainingExamples">This run's number of training examples.</param>
    /// <returns>Where the stopped run stood.</returns>
    /// <exception cref="FileNotFoundException">The trainer state or the optimiser state is missing.</exception>
    /// <exception cref="InvalidDataException">The state is malformed or belongs to another run; the message names the field.</exception>
    internal ResumePoint Load(string directory, int trainingExamples)
    {
        AtomicDirectory.Recover(directory);
        string statePath = Path.Combine(directory, MultiExitTrainer.StateFileName);
        string optimizerPath = Path.Combine(directory, MultiExitTrainer.OptimizerFileName);
        if (!File.Exists(statePath)) throw new FileNotFoundException($"resume state {statePath} not found", statePath);
        if (!File.Exists(optimizerPath)) throw new FileNotFoundException($"optimizer state {optimizerPath} not found", optimizerPath);
        TrainerState state = Read(statePath);
        Same(statePath, "objective", state.Objective, objective.Name);
        Same(statePath, "seed", state.Seed, options.Seed);
        Same(statePath, "epochs", state.Epochs, options.Epochs);
        Same(statePath, "batchSize", state.BatchSize, options.BatchSize);
        Same(statePath, "freezeBackbone", state.FreezeBackbone, options.FreezeBackbone);
        Same(statePath, "trainingExamples", state.TrainingExamples, trainingExamples);

        using (no_grad())
        {
            ModelCheckpoint.LoadWeights(network, directory);
        }
        if (state.ObjectiveState is not null) objective.RestoreState(state.ObjectiveState);
        return new ResumePoint(state.Epoch, state.StepInEpoch, state.GlobalStep, state.OptimizerStageStart, state.BestMeanAccuracy, state.BestEpoch,
            new PartialEpoch(state.EpochLossSum, state.EpochSteps, state.EpochExamples, state.EpochSeconds), state.EpochResults ?? []);
    }

    /// <summary>Restores the saved optimiser state into <paramref name="optimizer"/>, the optimiser of the stage the run stopped in.</summary>
    /// <param name="directory">The <c>last/</c> directory <see cref="Load"/> read.</param>
    /// <param name="optimizer">A fresh optimiser over the same parameter groups.</param>
    internal static void LoadOptimizer(string directory, AdamW optimizer)
    {
        using var reader = new BinaryReader(File.OpenRead(Path.Combine(directory, MultiExitTrainer.OptimizerFileName)));
        optimizer.load_state_dict(reader);
    }

    private static TrainerState Read(string statePath)
    {
        TrainerState? state;
        try
        {
            using FileStream stream = File.OpenRead(statePath);
            state = JsonSerializer.Deserialize<TrainerState>(stream, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{statePath} is not a valid trainer state: {e.Message}", e);
        }
        if (state is null) throw new InvalidDataException($"{statePath} is empty");
        if (state.FormatVersion != TrainerState.CurrentFormatVersion)
            throw new InvalidDataException($"{statePath} has format version {state.FormatVersion}; this code reads version {TrainerState.CurrentFormatVersion}");
        return state;
    }

    private static void Same<T>(string path, string field, T saved, T current)
    {
        if (!EqualityComparer<T>.Default.Equals(saved, current))
            throw new InvalidDataException($"{path} belongs to another run: its {field} is {saved}, this run's is {current}");
    }
}
