namespace EarlyExit.Torch.Runtime;

/// <summary>
/// A <see cref="IMultiExitModel"/> that takes batches of <typeparamref name="TInput"/>: it turns
/// a batch into the state its first layer reads (embeddings and masks for text, patch embeddings
/// for a ViT, the input image for a CNN).
/// </summary>
/// <typeparam name="TInput">A batch of inputs, e.g. a tokenized <c>TokenBatch</c>.</typeparam>
public interface IMultiExitModel<in TInput> : IMultiExitModel
{
    /// <summary>
    /// Starts a batch: computes the input of layer 0 for every row, on the model's device.
    /// Call it inside a <c>torch.NewDisposeScope()</c> and under <c>torch.no_grad()</c>
    /// for inference; the state's tensors belong to the caller's scope.
    /// </summary>
    /// <param name="batch">The inputs; at least one row.</param>
    /// <returns>A state with one row per input, in input order (<see cref="ExitBatchState.InputRows"/> = 0..B−1),
    /// and each input's size in <see cref="ExitBatchState.TokenCounts"/>.</returns>
    ExitBatchState Begin(TInput batch);
}
