using TorchSharp;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Training;

/// <summary>
/// A multi-exit model as <see cref="MultiExitTrainer"/> trains it, whatever its input: the module
/// (parameters, train/eval mode, state dict) and one forward pass over a collated
/// <see cref="TrainingBatch"/> that returns every exit's logits. <see cref="Models.MultiExitEncoder"/>
/// (text) and <see cref="Models.Vision.MultiExitVisionModel"/> (images) implement it.
/// </summary>
/// <remarks>
/// The trainer tells exit heads from the backbone by parameter name: head k's parameters are
/// named <c>exits.k.*</c>, everything else is the backbone (frozen by
/// <see cref="TrainerOptions.FreezeBackbone"/>, trained at <see cref="TrainerOptions.LearningRate"/>).
/// </remarks>
public interface IMultiExitNetwork
{
    /// <summary>The module itself: its parameters, mode and state dict.</summary>
    nn.Module Module { get; }

    /// <summary>M, the number of exits.</summary>
    int ExitCount { get; }

    /// <summary>C, the number of classes every exit predicts.</summary>
    int ClassCount { get; }

    /// <summary>Runs every layer and every exit on a batch collated for this network.</summary>
    /// <param name="batch">Inputs in the order this network's <see cref="ITrainingSet"/> collates them.</param>
    /// <returns>(exits, batch, classes) logits, exit m after layer m; with gradients in training mode.</returns>
    /// <exception cref="ArgumentException">The batch holds inputs of another kind of network.</exception>
    Tensor Forward(TrainingBatch batch);
}
