using static TorchSharp.torch;

namespace EarlyExit.Torch.Training;

/// <summary>
/// A network whose exit heads read a fixed-size vector per input and layer (a text encoder's pooled
/// token states), so that with the backbone frozen the trainer can compute those vectors once and
/// train the heads on them for every epoch (docs/algorithms.md §3.6, the head-input cache).
/// </summary>
public interface IHeadInputNetwork : IMultiExitNetwork
{
    /// <summary>Width of one head input (the hidden size).</summary>
    int HeadInputSize { get; }

    /// <summary>
    /// What every exit head reads for a batch, computed by the backbone as it is (the caller sets
    /// its mode and <c>no_grad</c>).
    /// </summary>
    /// <param name="batch">A batch collated for <see cref="IMultiExitNetwork.Forward"/>.</param>
    /// <returns>(exits, batch, <see cref="HeadInputSize"/>).</returns>
    Tensor HeadInputs(TrainingBatch batch);

    /// <summary>Every exit head on its input: <see cref="IMultiExitNetwork.Forward"/> = this of <see cref="HeadInputs"/>.</summary>
    /// <param name="headInputs">(exits, batch, <see cref="HeadInputSize"/>).</param>
    /// <returns>(exits, batch, classes) logits, with gradients for the heads in training mode.</returns>
    Tensor ExitLogits(Tensor headInputs);
}
