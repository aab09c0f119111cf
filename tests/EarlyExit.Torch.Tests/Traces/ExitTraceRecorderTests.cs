using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using EarlyExit.Core.Traces;
using EarlyExit.Data.Tokenization;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Runtime;
using EarlyExit.Torch.Tests.TestDoubles;
using EarlyExit.Torch.Traces;

namespace EarlyExit.Torch.Tests.Traces;

/// <summary>
/// A trace recorded from MiniLM on real sentences, written to disk and read back, replays a
/// policy offline to the same exits and predictions as the runtime running it live.
/// </summary>
public sealed class ExitTraceRecorderTests
{
    private const int BatchSize = 3; // 8 sentences → batches of 3, 3 and 2, each padded to its own longest row

    // Synthetic labels: the heads are untrained, so any labels serve to check they are carried over.
    private static readonly int[] Labels = [0, 1, 2, 0, 1, 2, 0, 1];
    private static readonly string[] ClassNames = ["negative", "neutral", "positive"];

    private static EncoderExitModel Model => MiniLmTestModel.Model;

    [Fact]
    public void PolicyReplayedOnTheWrittenTraceExitsWhereTheRuntimeDoes()
    {
        IReadOnlyList<string> texts = MiniLmTestModel.Sentences;
        ExitTrace recorded = ExitTraceRecorder.Record(Model, MiniLmTestModel.Tokenizer, texts, null, Labels, ClassNames, BatchSize);
        string path = Path.Combine(Path.GetTempPath(), $"runtime-test-{Guid.NewGuid():N}{ExitTraceFile.Extension}");
        ExitTrace trace;
        try
        {
            ExitTraceFile.Write(recorded, path);
            trace = ExitTraceFile.Read(path);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Equal(texts.Count, trace.SampleCount);
        Assert.Equal(6, trace.ExitCount);
        Assert.Equal(ClassNames, trace.ClassNames);
        Assert.Equal(Labels, trace.Labels.ToArray());

        var evaluator = new TraceEvaluator(trace);
        ThresholdPolicy policy = MiniLmTestModel.SplittingPolicy(evaluator.Signals.ToArray(), trace.SampleCount);
        PolicyEvaluation offline = evaluator.Evaluate(policy);
        var runtime = new EarlyExitRuntime<TokenBatch>(Model, policy);
        // The runtime sees the same batches (same padding) as the recorder.
        ExitResult[] live = [.. texts.Chunk(BatchSize).SelectMany(chunk => runtime.Run(MiniLmTestModel.Tokenizer.EncodeBatch(chunk)))];

        Assert.True(offline.ExitIndices.Distinct().Count() >= 3, $"exits {string.Join(",", offline.ExitIndices)} under {policy}");
        Assert.Equal(offline.ExitIndices, live.Select(r => r.ExitIndex));
        Assert.Equal(offline.Predictions, live.Select(r => r.Prediction));
    }

    [Fact]
    public void LogitsAreEveryExitOfAPlainRunInSampleExitClassOrder()
    {
        IReadOnlyList<string> texts = MiniLmTestModel.Sentences;
        ExitTrace trace = ExitTraceRecorder.Record(Model, MiniLmTestModel.Tokenizer, texts, null, Labels, ClassNames, BatchSize);

        int offset = 0;
        foreach (string[] chunk in texts.Chunk(BatchSize))
        {
            float[] full = MiniLmTestModel.FullRunLogits(MiniLmTestModel.Tokenizer.EncodeBatch(chunk));
            float[] recorded = trace.AllLogits.Slice(offset, full.Length).ToArray();
            float maxDiff = full.Zip(recorded, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(maxDiff <= 1e-5f, $"max |recorded − plain run| = {maxDiff}");
            offset += full.Length;
        }
        Assert.Equal(trace.AllLogits.Length, offset);
    }

    [Fact]
    public void FlopsAreEachSamplesOwnCostAndTheirMean()
    {
        // Synthetic: "Terrible." has 4 tokens and "Paris is the capital of France." 9.
        string[] texts = ["Terrible.", "Paris is the capital of France."];
        int[] lengths = [.. texts.Select(t => MiniLmTestModel.Tokenizer.Encode(t).Lengths.Span[0])];
        Assert.Equal([4, 9], lengths);

        ExitTrace trace = ExitTraceRecorder.Record(Model, MiniLmTestModel.Tokenizer, texts, null, [0, 2], ClassNames, batchSize: 2);

        // Layer(4) = 14,180,352 (8·4·384² + 4·16·384 + 4·4·384·1536);
        // Layer(9) = 8·9·384² + 4·81·384 + 4·9·384·1536 = 10,616,832 + 124,416 + 21,233,664 = 31,974,912;
        // a 3-class head is 297,216. Exit m costs (m + 1)·(layer + head) per sample; the trace holds the mean.
        double perLayer = ((14_180_352 + 297_216) + (31_974_912 + 297_216)) / 2.0; // 23,374,848
        for (int m = 0; m < 6; m++) Assert.Equal((m + 1) * perLayer, trace.CumulativeFlops[m]);
        // Full model: 6 layers + the final head, mean of (6·14,180,352 + 297,216) and (6·31,974,912 + 297,216).
        Assert.Equal(((6 * 14_180_352) + (6 * 31_974_912) + (2 * 297_216)) / 2.0, trace.FullModelFlops);
        Assert.Equal(31_974_912, EncoderFlops.Layer(Model.Encoder.Config, 9));
        // And each sample's own: the short text's exit 1 costs 14,477,568, the long one's full model 192,146,688.
        Assert.True(trace.HasSampleFlops);
        Assert.Equal(14_180_352 + 297_216, trace.SampleCumulativeFlops[0]);
        Assert.Equal(6 * (31_974_912 + 297_216), trace.SampleCumulativeFlops[(1 * 6) + 5]);
        Assert.Equal([(6 * 14_180_352) + 297_216, (6 * 31_974_912) + 297_216], trace.SampleFullModelFlops.ToArray());
    }

    [Fact]
    public void SentencePairsAreTokenizedAsPairs()
    {
        string[] first = ["A man is playing a guitar.", "The cat sleeps."];
        string?[] second = ["Someone plays an instrument.", null];

        ExitTrace trace = ExitTraceRecorder.Record(Model, MiniLmTestModel.Tokenizer, first, second, [1, 0], ClassNames);

        float[] full = MiniLmTestModel.FullRunLogits(MiniLmTestModel.Tokenizer.EncodeBatch(first, second));
        float maxDiff = full.Zip(trace.AllLogits.ToArray(), (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff <= 1e-5f, $"max |recorded − plain run| = {maxDiff}");
    }

    [Fact]
    public void MismatchedLabelsAndClassNamesAreRejected()
    {
        string[] texts = ["One.", "Two."];

        var labels = Assert.Throws<ArgumentException>(() => ExitTraceRecorder.Record(Model, MiniLmTestModel.Tokenizer, texts, null, [0], ClassNames));
        Assert.StartsWith("labels must have one item per text (2); got 1", labels.Message, StringComparison.Ordinal);
        var names = Assert.Throws<ArgumentException>(() => ExitTraceRecorder.Record(Model, MiniLmTestModel.Tokenizer, texts, null, [0, 1], ["a", "b"]));
        Assert.StartsWith("classNames must name the model's 3 classes; got 2 names", names.Message, StringComparison.Ordinal);
        var batches = Assert.Throws<ArgumentException>(() =>
            ExitTraceRecorder.Record(Model, [MiniLmTestModel.Tokenizer.EncodeBatch(texts)], [0, 1, 2], ClassNames));
        Assert.StartsWith("labels has 3 entries but the batches hold 2 samples", batches.Message, StringComparison.Ordinal);
    }
}
