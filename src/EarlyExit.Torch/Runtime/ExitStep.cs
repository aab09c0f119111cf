using System.Collections.Immutable;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Runtime;

/// <summary>
/// One step of every exit loop, written once: once layer k and exit k have run on a set of rows,
/// <see cref="Advance"/> brings their (rows, C) logits to the host, decides each row with its own
/// policy and <see cref="ExitState"/> (<see cref="ExitDecision"/>), builds the result of every row
/// that leaves and compacts the state to the rows that go on. <see cref="EarlyExitRuntime{TInput}"/>
/// (one batch, one policy) and the server's depth-pooled scheduler (rows of many requests, each
/// with its own policy and depth) both advance their rows with it, so a row gets the same
/// decision, result and cost whichever loop runs it.
/// </summary>
public static class ExitStep
{
    /// <summary>Advances <paramref name="rows"/> past layer k: decides each one and keeps those that go on.</summary>
    /// <typeparam name="TRow">The caller's row type.</typeparam>
    /// <param name="model">The model that ran the step.</param>
    /// <param name="layer">0-based layer k (= exit k) that just ran.</param>
    /// <param name="step">Layer k's output and exit k's logits for the rows; the logits are freed once read.</param>
    /// <param name="rows">One row per row of <c>step.State</c>, in the same order.</param>
    /// <returns>The rows that left with their results (<see cref="ExitResult.Flops"/>:
    /// <see cref="ModelFlops.UpToExit"/> for the row's own size), and the rows that go on with their
    /// compacted state (<see cref="ExitBatchState.SelectRows"/>, then <see cref="ExitBatchState.TrimPadding"/>),
    /// so layer k + 1 computes nothing for the others, nor for padding only they needed. Abandoned rows (<see cref="IExitRow.IsAbandoned"/>) that do not exit are in neither.</returns>
    /// <exception cref="ArgumentException"><paramref name="rows"/> does not have one row per state row.</exception>
    /// <exception cref="InvalidOperationException">The logits are not (rows, C).</exception>
    /// <exception cref="InvalidLogitsException">A logit is NaN or infinite; the message names the row's
    /// <see cref="IExitRow.Sample"/> and the exit.</exception>
    public static ExitStepOutcome<TRow> Advance<TRow>(IMultiExitModel model, int layer, LayerStep step, ReadOnlySpan<TRow> rows)
        where TRow : class, IExitRow
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(step);
        ExitBatchState state = step.State;
        int count = state.RowCount, classes = model.ClassCount;
        if (rows.Length != count)
            throw new ArgumentException($"rows must hold one row per state row ({count}); got {rows.Length}", nameof(rows));
        var logits = new float[count * classes];
        CopyLogits(model, step.Logits, count, layer, logits);
        step.Logits.Dispose();

        var exited = ImmutableArray.CreateBuilder<(TRow Row, ExitResult Result)>();
        var continuing = new int[count];
        var goOn = ImmutableArray.CreateBuilder<TRow>();
        for (int r = 0; r < count; r++)
        {
            TRow row = rows[r];
            int tokens = state.TokenCounts[r];
            ReadOnlySpan<float> z = logits.AsSpan(r * classes, classes);
            if (ExitDecision.Decide(row.Policy, layer, model.ExitCount, z, row.Sample, ref row.State, out SignalValues signals))
            {
                exited.Add((row, Result(model, z, signals, layer, ModelFlops.UpToExit(model, layer, tokens), tokens)));
            }
            else if (!row.IsAbandoned)
            {
                continuing[goOn.Count] = r;
                goOn.Add(row);
            }
        }
        ExitBatchState? next = goOn.Count == 0 ? null
            : goOn.Count == count ? state
            // Once the longest rows leave, the rest drop the padding none of them needs, so every
            // later layer costs their own width (length-sorted batches and joined pools both gain).
            : state.SelectRows(continuing.AsSpan(0, goOn.Count)).TrimPadding();
        return new ExitStepOutcome<TRow>(exited.ToImmutable(), next, goOn.ToImmutable());
    }

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
}
