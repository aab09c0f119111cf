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

    /// <summary>
    /// Starts a batch and runs its first step: <see cref="Begin"/>, then layer 0 and exit head 0
    /// (<see cref="IMultiExitModel.RunLayerAndExit"/>). The default does just that; a backend that
    /// holds the input embedding, layer 0 and head 0 in one graph overrides it to make one call
    /// instead of two, which matters at batch 1, where a call's fixed cost is a few percent of a layer.
    /// </summary>
    /// <param name="batch">The inputs; at least one row.</param>
    /// <returns>The rows as <see cref="Begin"/> numbers them, holding layer 0's output, and exit 0's (rows, classes) logits.</returns>
    LayerStep RunFirstStep(TInput batch)
    {
        ExitBatchState begun = Begin(batch);
        LayerStep step = RunLayerAndExit(0, begun);
        begun.DisposeTensorsExcept(step.State); // the embeddings, read by layer 0 and by nothing after
        return step;
    }
}
