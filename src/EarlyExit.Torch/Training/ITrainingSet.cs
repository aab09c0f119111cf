namespace EarlyExit.Torch.Training;

/// <summary>
/// Labelled examples a <see cref="MultiExitTrainer"/> can batch: it picks the rows of every step,
/// the set turns them into tensors for its network. <see cref="TokenTrainingSet"/> (text) and
/// <see cref="ImageTrainingSet"/> (images) implement it.
/// </summary>
/// <remarks>Sets check their examples against the network when they are built, so a bad example
/// fails before the first step, naming its index.</remarks>
public interface ITrainingSet
{
    /// <summary>Number of examples, ≥ 1.</summary>
    int Count { get; }

    /// <summary>Collates <paramref name="rows"/> into one batch.</summary>
    /// <param name="rows">0-based example indices, in batch order; at least one.</param>
    /// <param name="augmentationSeed">A training step's seed for random augmentation, or null for
    /// none (evaluation). The same seed gives the same batch, so a resumed run repeats the
    /// uninterrupted one.</param>
    /// <returns>A batch the caller disposes.</returns>
    TrainingBatch Collate(ReadOnlySpan<int> rows, long? augmentationSeed);

    /// <summary>Whether every example has a label; false when some are <see cref="TrainingExample.NoLabel"/>,
    /// which only a label-free objective (<see cref="ITrainingObjective.NeedsLabels"/>) can train on. Default true.</summary>
    bool IsLabelled => true;
}
