using EarlyExit.Core.Traces;
using EarlyExit.Data.Tokenization;
using EarlyExit.Torch.Runtime;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Traces;

/// <summary>
/// Runs a data set through every exit of a multi-exit model once and records the result as an
/// <see cref="ExitTrace"/>, so every policy can then be evaluated offline
/// (<see cref="Core.Evaluation.TraceEvaluator"/>) and stored with <see cref="ExitTraceFile"/>.
/// </summary>
/// <remarks>
/// <para>Each batch runs layer by layer through the same <see cref="IMultiExitModel"/> parts the
/// runtime uses (no row ever exits), under one <c>torch.NewDisposeScope()</c> and
/// <c>torch.no_grad()</c>; its (batch, M, C) logits come to the host in one copy.</para>
/// <para>FLOPs: a text input's cost depends on its own token count, quadratically through
/// attention, so the trace holds each sample's own <see cref="ModelFlops.UpToExit"/>(m, n_i) and
/// <see cref="ModelFlops.FullModel"/>(n_i) (<see cref="ExitTrace.WithSampleFlops"/>), the ones the
/// runtime's results use; its per-exit <see cref="ExitTrace.CumulativeFlops"/> and
/// <see cref="ExitTrace.FullModelFlops"/> are their means. A policy's expected compute is then
/// Σ_i F_i(e_i) / Σ_i F_i(full), exact even when long inputs exit later (docs/algorithms.md §4.2).</para>
/// </remarks>
public static class ExitTraceRecorder
{
    /// <summary>Records every exit of <paramref name="model"/> over the inputs of <paramref name="batches"/>.</summary>
    /// <typeparam name="TInput">The model's batch type.</typeparam>
    /// <param name="model">The multi-exit model, in evaluation mode.</param>
    /// <param name="batches">The data set in batches, enumerated once; the samples are numbered in order across batches.</param>
    /// <param name="labels">The true label of every sample, in the same order; each in [0, C).</param>
    /// <param name="classNames">C class names, C = <see cref="IMultiExitModel.ClassCount"/>.</param>
    /// <returns>A trace of N samples × M exits × C classes with the FLOPs described in the remarks.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The class names do not match the model's classes, the batches
    /// hold a different number of samples than <paramref name="labels"/>, or a label is out of range.</exception>
    public static ExitTrace Record<TInput>(IMultiExitModel<TInput> model, IEnumerable<TInput> batches,
        IReadOnlyList<int> labels, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        int exits = model.ExitCount, classes = model.ClassCount;
        if (classNames.Count != classes)
            throw new ArgumentException($"classNames must name the model's {classes} classes; got {classNames.Count} names", nameof(classNames));

        var logits = new float[(long)labels.Count * exits * classes];
        var sampleFlops = new double[(long)labels.Count * exits];
        var sampleFullFlops = new double[labels.Count];
        int samples = 0;
        foreach (TInput batch in batches)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            ExitBatchState state = model.Begin(batch);
            int rows = state.RowCount;
            if (samples + rows > labels.Count)
                throw new ArgumentException(
                    $"the batches hold more samples than the {labels.Count} labels (at least {samples + rows})", nameof(labels));

            var exitLogits = new Tensor[exits];
            for (int k = 0; k < exits; k++)
            {
                // One call per layer where the backend computes layer and head together (ONNX segments).
                LayerStep step = model.RunLayerAndExit(k, state);
                state = step.State;
                exitLogits[k] = step.Logits;
            }
            // (batch, M, C): the trace's [sample][exit][class] layout, copied to the host once.
            using Tensor batchLogits = stack(exitLogits, 1).to_type(ScalarType.Float32).cpu().contiguous();
            if (batchLogits.shape[0] != rows || batchLogits.shape[2] != classes)
                throw new InvalidOperationException(
                    $"{model.GetType().Name} returned exit logits of shape ({string.Join(", ", batchLogits.shape)}) for {rows} rows; expected ({rows}, {exits}, {classes})");
            batchLogits.data<float>().CopyTo(logits.AsSpan((int)((long)samples * exits * classes), rows * exits * classes));

            int row = samples;
            foreach (int tokens in state.TokenCounts)
            {
                // O(M²) per sample instead of one running sum, so the cost of leaving at m is
                // counted by the one function the runtime's results use too.
                for (int m = 0; m < exits; m++) sampleFlops[((long)row * exits) + m] = ModelFlops.UpToExit(model, m, tokens);
                sampleFullFlops[row++] = ModelFlops.FullModel(model, tokens);
            }
            samples += rows;
        }
        if (samples != labels.Count)
            throw new ArgumentException($"labels has {labels.Count} entries but the batches hold {samples} samples", nameof(labels));

        // Each sample's own FLOPs (see remarks); the per-exit means are taken from them.
        return new ExitTrace(logits, labels.ToArray(), exits, classNames).WithSampleFlops(sampleFlops, sampleFullFlops);
    }

    /// <summary>
    /// Tokenizes a text-classification data set in batches and records every exit of the encoder over it.
    /// </summary>
    /// <param name="model">The text encoder.</param>
    /// <param name="tokenizer">The tokenizer the encoder was trained with (e.g. <see cref="TextTokenizer.ForMiniLm"/>).</param>
    /// <param name="texts">The samples' texts (the first text of a pair).</param>
    /// <param name="textPairs">The second texts of sentence pairs, one per text (an item may be null), or null for single texts.</param>
    /// <param name="labels">The true label of every text, each in [0, C).</param>
    /// <param name="classNames">C class names, indexed by label.</param>
    /// <param name="batchSize">Texts per batch, ≥ 1. Default 32. Each batch is padded to its own longest text.</param>
    /// <returns>A trace of N = texts.Count samples; see <see cref="Record{TInput}"/>.</returns>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The lists differ in length, there is no text, or a label or the class names do not fit.</exception>
    public static ExitTrace Record(EncoderExitModel model, TextTokenizer tokenizer, IReadOnlyList<string> texts,
        IReadOnlyList<string?>? textPairs, IReadOnlyList<int> labels, IReadOnlyList<string> classNames, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (texts.Count == 0)
            throw new ArgumentException("texts must hold at least one text; got 0", nameof(texts));
        if (textPairs is not null && textPairs.Count != texts.Count)
            throw new ArgumentException($"textPairs must have one item per text ({texts.Count}); got {textPairs.Count}", nameof(textPairs));
        if (labels.Count != texts.Count)
            throw new ArgumentException($"labels must have one item per text ({texts.Count}); got {labels.Count}", nameof(labels));
        return Record(model, Batches(tokenizer, texts, textPairs, batchSize), labels, classNames);
    }

    private static IEnumerable<TokenBatch> Batches(TextTokenizer tokenizer, IReadOnlyList<string> texts,
        IReadOnlyList<string?>? textPairs, int batchSize)
    {
        for (int start = 0; start < texts.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, texts.Count - start);
            string[] chunk = [.. texts.Skip(start).Take(count)];
            string?[]? pairs = textPairs is null ? null : [.. textPairs.Skip(start).Take(count)];
            yield return tokenizer.EncodeBatch(chunk, pairs);
        }
    }
}
