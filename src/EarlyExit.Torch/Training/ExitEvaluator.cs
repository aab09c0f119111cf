using static TorchSharp.torch;

namespace EarlyExit.Torch.Training;

/// <summary>
/// Every exit's accuracy (or agreement with the final exit) and mean cross-entropy on a set of
/// examples: what picks the best epoch and what <see cref="MultiExitTrainer.Evaluate(ITrainingSet)"/> reports.
/// </summary>
/// <remarks>Runs in <c>eval()</c> mode (no dropout) under <c>no_grad</c>, without augmentation,
/// each batch in its own dispose scope, and puts a model that was training back into training mode.</remarks>
internal static class ExitEvaluator
{
    /// <summary>Evaluates <paramref name="network"/> on <paramref name="examples"/>, in batches of <paramref name="batchSize"/> in the set's order.</summary>
    /// <param name="network">The model.</param>
    /// <param name="examples">Examples collated for the model.</param>
    /// <param name="batchSize">Examples per forward pass.</param>
    /// <param name="measure">What is counted: answers equal to the labels, or to the final exit's answers
    /// (docs/algorithms.md §4.8; the cross-entropy is then against those answers too).</param>
    internal static ValidationResult Evaluate(IMultiExitNetwork network, ITrainingSet examples, int batchSize, ValidationMeasure measure = ValidationMeasure.Accuracy)
    {
        int exitCount = network.ExitCount;
        var correct = new long[exitCount];
        var lossSum = new double[exitCount];
        using (EvaluationMode.Enter(network.Module))
        {
            int[] order = [.. Enumerable.Range(0, examples.Count)];
            for (int start = 0; start < examples.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                int count = Math.Min(batchSize, examples.Count - start);
                using TrainingBatch batch = examples.Collate(order.AsSpan(start, count), augmentationSeed: null);
                Tensor logits = network.Forward(batch); // (exits, batch, classes)
                // The targets: the labels, or the final exit's answers (its argmax, ties to the lowest class as torch's argmax).
                Tensor targets = measure == ValidationMeasure.Agreement ? logits.select(0, exitCount - 1).argmax(-1) : batch.Labels;
                float[] ce = ExitLosses.PerSample(logits, targets).sum(1).to_type(ScalarType.Float32).data<float>().ToArray();
                long[] hits = logits.argmax(-1).eq(targets.unsqueeze(0)).sum(1).data<long>().ToArray();
                for (int m = 0; m < exitCount; m++)
                {
                    correct[m] += hits[m];
                    lossSum[m] += ce[m];
                }
            }
        }
        return new ValidationResult(examples.Count,
            [.. correct.Select(c => (double)c / examples.Count)],
            [.. lossSum.Select(s => s / examples.Count)]) { Measure = measure };
    }

    /// <summary>Agreement for a label-free objective or for examples without labels; accuracy otherwise.</summary>
    internal static ValidationMeasure MeasureFor(ITrainingObjective objective, ITrainingSet examples) =>
        !objective.NeedsLabels || !examples.IsLabelled ? ValidationMeasure.Agreement : ValidationMeasure.Accuracy;
}
