namespace EarlyExit.Torch.Runtime;

/// <summary>
/// The compute of one input through a multi-exit model, from the model's per-layer and per-head
/// counts (<see cref="IMultiExitModel.LayerFlops"/>, <see cref="IMultiExitModel.ExitFlops"/>).
/// The two sums every report uses: what an input leaving at exit m ran, and what the model
/// without early exit runs.
/// </summary>
/// <remarks>
/// These are the numerator and denominator of docs/algorithms.md §4's expected compute, with the same
/// convention as <see cref="Core.Traces.ExitTrace.CumulativeFlops"/>: the plain model has only its
/// final head, so an input that runs to the last exit through every internal head costs more than
/// 100 % of it.
/// </remarks>
public static class ModelFlops
{
    /// <summary>
    /// FLOPs of an input of <paramref name="tokens"/> tokens that leaves at <paramref name="exitIndex"/>:
    /// Σ_{l=0..m} (layer l + exit head l), every head on the way evaluated.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="exitIndex">0-based exit m, in [0, M).</param>
    /// <param name="tokens">The input's size.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="exitIndex"/> is out of range.</exception>
    public static double UpToExit(IMultiExitModel model, int exitIndex, int tokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        if ((uint)exitIndex >= (uint)model.ExitCount)
            throw new ArgumentOutOfRangeException(nameof(exitIndex), exitIndex,
                $"exitIndex must be between 0 and {model.ExitCount - 1} (the model has {model.ExitCount} exits); got {exitIndex}");
        double flops = 0;
        for (int l = 0; l <= exitIndex; l++) flops += model.LayerFlops(l, tokens) + model.ExitFlops(l, tokens);
        return flops;
    }

    /// <summary>
    /// FLOPs of the model without early exit for an input of <paramref name="tokens"/> tokens:
    /// every layer and the final head only, Σ_{l=0..M−1} layer l + exit head M−1.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="tokens">The input's size.</param>
    public static double FullModel(IMultiExitModel model, int tokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        double flops = model.ExitFlops(model.ExitCount - 1, tokens);
        for (int l = 0; l < model.ExitCount; l++) flops += model.LayerFlops(l, tokens);
        return flops;
    }
}
