using static TorchSharp.torch;

namespace EarlyExit.Torch.Runtime;

/// <summary>
/// What one step of the exit loop produces: layer k's output for the running rows and exit k's
/// logits for the same rows (<see cref="IMultiExitModel.RunLayerAndExit"/>).
/// </summary>
/// <param name="State">The rows holding layer k's output.</param>
/// <param name="Logits">(rows, classes) float32 logits of exit k, row r for <paramref name="State"/>'s row r.</param>
public sealed record LayerStep(ExitBatchState State, Tensor Logits);
