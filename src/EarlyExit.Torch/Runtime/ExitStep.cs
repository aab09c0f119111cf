using System.Collections.Immutable;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Runtime;

/// <summary>
/// The per-row work after an exit head ran, written once for every exit loop: bring the
/// (rows, C) logits to the host, decide each row's exit from its own logits and
/// <see cref="ExitState"/> (<see cref="ExitDecision.Decide(ExitPolicy, int, int, ReadOnlySpan{float}, int, ref ExitState, out SignalValues)"/>),
/// and build the result of a row that leaves.
/// <see cref="EarlyExitRuntime{TInput}"/> (one batch, one policy) and the server's schedulers
/// (rows of many requests, each with its own policy and depth) both call it, so a row gets the
/// same decision whichever loop runs it.
/// </summary>
public static class ExitStep
{
    /// <summary>Copies (rows, C) logits to <paramref name="destination"/> as float32, row-major.</summary>
    /// <param name="model">The model that produced them (its <see cref="IMultiExitModel.ClassCount"/> is C; named in errors).</param>
    /// <param name="logits">(rows, C) logits of exit <paramref name="exitIndex"/>, any device and float type.</param>
    /// <param name="rows">The rows the exit ran on.</param>
    /// <param name="exitIndex">0-based exit, for the error message.</param>
    /// <param name="destination">At least rows × C floats.</param>
    /// <exception cref="InvalidOperationException">The logits are not (rows, C).</exception>
    public static void CopyLogits(IMultiExitModel model, Tensor logits, int rows, int exitIndex, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(logits);
        int classes = model.ClassCount;
        if (logits.dim() != 2 || logits.shape[0] != rows || logits.shape[1] != classes)
            throw new InvalidOperationException(
                $"exit {exitIndex} of {model.GetType().Name} returned logits of shape ({string.Join(", ", logits.shape)}); expected ({rows}, {classes})");
        if (logits.dtype == ScalarType.Float32 && logits.device_type == TorchSharp.DeviceType.CPU && logits.is_contiguous())
        {
            // The usual case, read in place: the conversions below would be no-ops, but each still
            // makes a tensor handle, together ~40 µs, half a percent of a MiniLM layer at batch 1.
            logits.data<float>().CopyTo(destination);
            return;
        }
        using Tensor host = logits.to_type(ScalarType.Float32).cpu().contiguous();
        host.data<float>().CopyTo(destination);
    }

    /// <summary>The result of a row that leaves at <paramref name="exitIndex"/>.</summary>
    /// <param name="model">The model (for the row's full-model FLOPs).</param>
    /// <param name="logits">The row's C logits at the exit taken.</param>
    /// <param name="signals">The signals the decision computed from them.</param>
    /// <param name="exitIndex">0-based exit taken.</param>
    /// <param name="flops">FLOPs the row ran: its layers and heads 0..exitIndex, counted for its own size.</param>
    /// <param name="tokens">The row's size (<see cref="ExitBatchState.TokenCounts"/>).</param>
    public static ExitResult Result(IMultiExitModel model, ReadOnlySpan<float> logits, SignalValues signals, int exitIndex,
        double flops, int tokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new ExitResult(signals.Prediction, ImmutableArray.Create(ExitSignals.Softmax(logits)), exitIndex, signals,
            flops, ModelFlops.FullModel(model, tokens));
    }

    /// <summary>FLOPs one row of <paramref name="tokens"/> tokens costs at step k: layer k and exit head k.</summary>
    /// <param name="model">The model.</param>
    /// <param name="index">0-based layer k (= exit k).</param>
    /// <param name="tokens">The row's size.</param>
    public static double Flops(IMultiExitModel model, int index, int tokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.LayerFlops(index, tokens) + model.ExitFlops(index, tokens);
    }
}
