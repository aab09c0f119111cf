using static TorchSharp.torch;

namespace EarlyExit.Torch.Training;

/// <summary>
/// One collated batch on the CPU: the network's input tensors (token ids, segment ids and mask for
/// text; the images for vision) and the labels. Disposing it frees every tensor.
/// </summary>
public sealed class TrainingBatch : IDisposable
{
    /// <summary>Creates a batch; it owns the tensors.</summary>
    /// <param name="inputs">The inputs, each with the rows on dimension 0, in the order the network reads them.</param>
    /// <param name="labels">(batch) int64 class indices.</param>
    /// <exception cref="ArgumentException">No inputs, or an input whose rows differ from the labels'.</exception>
    public TrainingBatch(IReadOnlyList<Tensor> inputs, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        if (inputs.Count == 0) throw new ArgumentException("inputs must hold at least one tensor; got none", nameof(inputs));
        foreach (Tensor input in inputs)
        {
            if (input.dim() < 1 || input.shape[0] != labels.shape[0])
                throw new ArgumentException(
                    $"every input must have the labels' {labels.shape[0]} rows on dimension 0; got shape ({string.Join(", ", input.shape)})", nameof(inputs));
        }
        Inputs = inputs;
        Labels = labels;
    }

    /// <summary>The network's inputs.</summary>
    public IReadOnlyList<Tensor> Inputs { get; }

    /// <summary>(batch) int64 class indices.</summary>
    public Tensor Labels { get; }

    /// <summary>The input at <paramref name="index"/>, checked to exist.</summary>
    /// <param name="index">0-based position in <see cref="Inputs"/>.</param>
    /// <param name="expectedCount">How many inputs the reading network takes.</param>
    /// <param name="network">The reading network's name, for the message.</param>
    /// <exception cref="ArgumentException">The batch does not hold <paramref name="expectedCount"/> inputs.</exception>
    public Tensor Input(int index, int expectedCount, string network)
    {
        if (Inputs.Count != expectedCount)
            throw new ArgumentException($"a {network} reads {expectedCount} input tensor(s) per batch; this batch holds {Inputs.Count}: collate it with the network's own training set");
        return Inputs[index];
    }

    /// <summary>Disposes the inputs and the labels.</summary>
    public void Dispose()
    {
        foreach (Tensor input in Inputs) input.Dispose();
        Labels.Dispose();
    }
}
