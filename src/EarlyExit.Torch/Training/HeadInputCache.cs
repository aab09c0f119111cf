using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Training;

/// <summary>
/// A training set's head inputs computed once by a frozen backbone (docs/algorithms.md §3.6): while
/// the backbone does not train, each epoch would run it again on the same examples to the same
/// result, so the heads train on the cache instead and an epoch costs what the heads cost.
/// </summary>
/// <remarks>
/// The backbone runs in evaluation mode when the cache is built, so its dropout is off: the features
/// are the deployed model's, fixed once. Uncached head-only training runs the frozen backbone in
/// training mode, where its dropout adds noise to the heads' inputs (and, for self-distillation, to
/// the teacher); that noise is the only difference, so with dropout 0 the two train identically.
/// The heads' own dropout still applies. The cache lives in memory (<see cref="BytesPerExample"/>)
/// and is not saved: a resumed run builds it again.
/// </remarks>
internal sealed class HeadInputCache : ITrainingSet, IMultiExitNetwork, IDisposable
{
    private readonly IHeadInputNetwork _network;
    private readonly Tensor _inputs; // (examples, exits, width) float32
    private readonly Tensor _labels; // (examples) int64

    private HeadInputCache(IHeadInputNetwork network, Tensor inputs, Tensor labels, bool labelled, double seconds)
    {
        _network = network;
        _inputs = inputs;
        _labels = labels;
        IsLabelled = labelled;
        BuildSeconds = seconds;
    }

    /// <summary>Runs the backbone once over <paramref name="examples"/>, in order, in batches of <paramref name="batchSize"/>.</summary>
    internal static HeadInputCache Build(IHeadInputNetwork network, ITrainingSet examples, int batchSize)
    {
        var clock = Stopwatch.StartNew();
        var inputs = new List<Tensor>();
        var labels = new List<Tensor>();
        using (EvaluationMode.Enter(network.Module))
        {
            int[] order = [.. Enumerable.Range(0, examples.Count)];
            for (int start = 0; start < examples.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                using TrainingBatch batch = examples.Collate(order.AsSpan(start, Math.Min(batchSize, examples.Count - start)), augmentationSeed: null);
                // (exits, batch, width) → (batch, exits, width): rows are examples, as Collate picks them.
                inputs.Add(network.HeadInputs(batch).transpose(0, 1).to_type(ScalarType.Float32).contiguous().MoveToOuterDisposeScope());
                labels.Add(batch.Labels.clone().MoveToOuterDisposeScope());
            }
        }
        Tensor all = cat(inputs, 0), allLabels = cat(labels, 0);
        foreach (Tensor t in inputs.Concat(labels)) t.Dispose();
        return new HeadInputCache(network, all.DetachFromDisposeScope(), allLabels.DetachFromDisposeScope(), examples.IsLabelled, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Bytes the cache holds per example: exits × width × 4 (float32) + 8 for the label.</summary>
    internal static long BytesPerExample(int exits, int width) => (long)exits * width * sizeof(float) + sizeof(long);

    /// <summary>Seconds the backbone pass took.</summary>
    internal double BuildSeconds { get; }

    /// <inheritdoc/>
    public int Count => (int)_inputs.shape[0];

    /// <inheritdoc/>
    public bool IsLabelled { get; }

    /// <summary>The rows' cached head inputs, as one (batch, exits, width) input, and their labels.</summary>
    public TrainingBatch Collate(ReadOnlySpan<int> rows, long? augmentationSeed)
    {
        Tensor index = tensor(rows.ToArray().Select(r => (long)r).ToArray());
        using (index)
            return new TrainingBatch([_inputs.index_select(0, index)], _labels.index_select(0, index));
    }

    nn.Module IMultiExitNetwork.Module => _network.Module;

    int IMultiExitNetwork.ExitCount => _network.ExitCount;

    int IMultiExitNetwork.ClassCount => _network.ClassCount;

    /// <summary>The heads on a batch of this cache (not of the examples it was built from).</summary>
    Tensor IMultiExitNetwork.Forward(TrainingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Tensor inputs = batch.Input(0, 1, nameof(HeadInputCache)); // (batch, exits, width)
        return _network.ExitLogits(inputs.transpose(0, 1));
    }

    public void Dispose()
    {
        _inputs.Dispose();
        _labels.Dispose();
    }
}
