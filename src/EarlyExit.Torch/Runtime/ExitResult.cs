using System.Collections.Immutable;
using EarlyExit.Core.Signals;

namespace EarlyExit.Torch.Runtime;

/// <summary>
/// What the early-exit runtime decided for one input: where it left, what it predicted there
/// and what it cost.
/// </summary>
/// <param name="Prediction">ŷ, the 0-based class index with the largest logit at the exit taken (first on ties).</param>
/// <param name="Probabilities">softmax of the exit's logits, length C, summing to 1.</param>
/// <param name="ExitIndex">0-based exit the input left at; it ran layers 0..ExitIndex.</param>
/// <param name="Signals">The exit signals the policy saw at that exit (docs/algorithms.md §1).</param>
/// <param name="Flops">FLOPs the input used: the layers and exit heads actually run for it, counted
/// for its own size (<see cref="ModelFlops.UpToExit"/>).</param>
/// <param name="FullModelFlops">FLOPs the same input costs in the model without early exit: all
/// layers and the final head (<see cref="ModelFlops.FullModel"/>).</param>
/// <remarks>Record equality compares <paramref name="Probabilities"/> by reference.</remarks>
public sealed record ExitResult(
    int Prediction,
    ImmutableArray<float> Probabilities,
    int ExitIndex,
    SignalValues Signals,
    double Flops,
    double FullModelFlops)
{
    /// <summary>1-based number of layers the input ran, <see cref="ExitIndex"/> + 1.</summary>
    public int LayersExecuted => ExitIndex + 1;

    /// <summary>
    /// <see cref="Flops"/> / <see cref="FullModelFlops"/>: this input's share of the plain model's
    /// compute (docs/algorithms.md §4, expected compute, for one input). Above 1 when it ran every layer:
    /// the internal heads are work the plain model does not do.
    /// </summary>
    public double ComputeFraction => Flops / FullModelFlops;
}
