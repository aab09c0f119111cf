using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using EarlyExit.Data.Tokenization;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Runtime;
using EarlyExit.Torch.Tests.TestDoubles;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Runtime;

/// <summary>
/// The runtime on real sentences with MiniLM's pretrained backbone: rows that exit never reach
/// a later layer, and every result equals one plain run of all layers with the policy replayed
/// offline (same exit, same prediction, probabilities within 1e-5).
/// </summary>
public sealed class EarlyExitRuntimeTests
{
    private const float ProbabilityTolerance = 1e-5f;

    private static EncoderExitModel Model => MiniLmTestModel.Model;

    [Fact]
    public void BatchWithMixedExitsDropsExitedRowsAndMatchesTheFullRunReplayedOffline()
    {
        TokenBatch batch = MiniLmTestModel.Tokenizer.EncodeBatch(MiniLmTestModel.Sentences);
        int n = batch.BatchSize;
        float[] full = MiniLmTestModel.FullRunLogits(batch);
        SignalValues[] signals = MiniLmTestModel.Signals(full, n);
        ThresholdPolicy policy = MiniLmTestModel.SplittingPolicy(signals, n);
        int[] expectedExits = MiniLmTestModel.ReplayExits(policy, signals, n);
        // The threshold must really split the batch, or nothing is compacted and the test proves little.
        Assert.True(expectedExits.Distinct().Count() >= 3, $"exits {string.Join(",", expectedExits)} under {policy}");
        var counting = new CountingExitModel<TokenBatch>(Model);

        var results = new EarlyExitRuntime<TokenBatch>(counting, policy).Run(batch);

        AssertMatchesFullRun(results, expectedExits, full, batch);
        AssertEachRowRanOnlyItsLayers(counting, expectedExits);
        // Layer k received exactly the rows still running: those leaving at k or later.
        long[] expectedRows = [.. Enumerable.Range(0, expectedExits.Max() + 1).Select(k => (long)expectedExits.Count(e => e >= k))];
        Assert.Equal(expectedRows, counting.RowsPerLayerCall);
    }

    [Fact]
    public void BatchOfOneTakesTheSamePathAndMatchesTheFullRunReplayedOfflineForEveryPolicy()
    {
        foreach (string sentence in MiniLmTestModel.Sentences.Take(4))
        {
            TokenBatch single = MiniLmTestModel.Tokenizer.Encode(sentence);
            float[] full = MiniLmTestModel.FullRunLogits(single);
            SignalValues[] signals = MiniLmTestModel.Signals(full, 1);
            var counting = new CountingExitModel<TokenBatch>(Model);
            ExitPolicy[] policies =
            [
                .. Enumerable.Range(1, Model.ExitCount).Select(k => (ExitPolicy)new StaticExitPolicy(k)),
                new ThresholdPolicy(ExitSignal.MaxProb, 0.5),
                new PatiencePolicy(2),
            ];
            foreach (ExitPolicy policy in policies)
            {
                int[] expectedExits = MiniLmTestModel.ReplayExits(policy, signals, 1);

                var results = new EarlyExitRuntime<TokenBatch>(counting, policy).Run(single);

                AssertMatchesFullRun(results, expectedExits, full, single);
                AssertEachRowRanOnlyItsLayers(counting, expectedExits);
            }
        }
    }

    [Fact]
    public void TheStepObserverSeesEveryLayerCallWithTheRowsItRan()
    {
        TokenBatch batch = MiniLmTestModel.Tokenizer.EncodeBatch(MiniLmTestModel.Sentences);
        int n = batch.BatchSize;
        ThresholdPolicy policy = MiniLmTestModel.SplittingPolicy(MiniLmTestModel.Signals(MiniLmTestModel.FullRunLogits(batch), n), n);
        var counting = new CountingExitModel<TokenBatch>(Model);
        var observed = new List<(int Layer, int Rows, int Tokens)>();

        var results = new EarlyExitRuntime<TokenBatch>(counting, policy).Run(batch, (layer, rows, tokens) => observed.Add((layer, rows, tokens)));

        Assert.Equal(Enumerable.Range(0, counting.RowsPerLayerCall.Count), observed.Select(o => o.Layer));
        Assert.Equal(counting.RowsPerLayerCall, observed.Select(o => (long)o.Rows));
        // Padded tokens: the rows still running × the longest of them (the batch's width at layer 1;
        // narrower once the longest rows have left).
        int[] lengths = batch.Lengths.ToArray();
        Assert.Equal(observed.Select(o => o.Layer == 0 ? n * batch.SequenceLength
                : o.Rows * Enumerable.Range(0, n).Where(r => results[r].ExitIndex >= o.Layer).Max(r => lengths[r])),
            observed.Select(o => o.Tokens));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(6)]
    public void StaticExitSendsEveryRowOutAfterKLayers(int layers)
    {
        TokenBatch batch = MiniLmTestModel.Tokenizer.EncodeBatch(MiniLmTestModel.Sentences);
        var counting = new CountingExitModel<TokenBatch>(Model);

        var results = new EarlyExitRuntime<TokenBatch>(counting, new StaticExitPolicy(layers)).Run(batch);

        Assert.All(results, r => Assert.Equal(layers, r.LayersExecuted));
        Assert.Equal(Enumerable.Repeat((long)batch.BatchSize, layers), counting.RowsPerLayerCall);
        AssertEachRowRanOnlyItsLayers(counting, [.. results.Select(r => r.ExitIndex)]);
    }

    [Fact]
    public void EachStateIsFreedOnceTheNextIsMade()
    {
        TokenBatch batch = MiniLmTestModel.Tokenizer.EncodeBatch(MiniLmTestModel.Sentences);
        int n = batch.BatchSize;
        float[] full = MiniLmTestModel.FullRunLogits(batch);
        ThresholdPolicy policy = MiniLmTestModel.SplittingPolicy(MiniLmTestModel.Signals(full, n), n);
        int[] expectedExits = MiniLmTestModel.ReplayExits(policy, MiniLmTestModel.Signals(full, n), n);
        var counting = new CountingExitModel<TokenBatch>(Model);

        var results = new EarlyExitRuntime<TokenBatch>(counting, policy).Run(batch);

        // Layer k's input was made by layer k − 1 (and compacted); everything older, layer k − 2's
        // output and the uncompacted copy included, was freed before layer k ran.
        Assert.Equal(expectedExits.Max() + 1, counting.OlderHiddenFreedPerLayerCall.Count);
        Assert.All(counting.OlderHiddenFreedPerLayerCall, Assert.True);
        AssertMatchesFullRun(results, expectedExits, full, batch);
    }

    [Fact]
    public void FlopsCountTheLayersAndHeadsRunForTheRowsOwnTokens()
    {
        // "Terrible." is [CLS] terrible . [SEP]: n = 4 tokens, padded to the longest row of the batch.
        TokenBatch batch = MiniLmTestModel.Tokenizer.EncodeBatch(["Terrible.", "Paris is the capital of France."]);
        Assert.Equal(4, batch.Lengths.Span[0]);

        var results = new EarlyExitRuntime<TokenBatch>(Model, new StaticExitPolicy(2)).Run(batch);

        // One layer at n = 4, d = 384, f = 1536: 8·4·384² + 4·4²·384 + 4·4·384·1536
        //   = 4,718,592 + 24,576 + 9,437,184 = 14,180,352; a 3-class head: 2·384² + 2·384·3 = 294,912 + 2,304 = 297,216.
        // Two layers and two heads: 2 · (14,180,352 + 297,216) = 28,955,136.
        Assert.Equal(28_955_136, results[0].Flops);
        // Without early exit: 6 layers and the final head: 6 · 14,180,352 + 297,216 = 85,379,328.
        Assert.Equal(85_379_328, results[0].FullModelFlops);
        Assert.Equal(28_955_136.0 / 85_379_328, results[0].ComputeFraction, 12);
        // The other row is counted for its own tokens, not the first row's.
        int tokens = batch.Lengths.Span[1];
        Assert.Equal(2 * (EncoderFlops.Layer(Model.Encoder.Config, tokens) + 297_216), results[1].Flops);
    }

    [Theory]
    [InlineData(OracleKind.AgreesWithFinal, "oracle")]
    [InlineData(OracleKind.FirstCorrect, "correct-oracle")]
    public void OraclesAreRejectedBecauseTheyCannotBeDeployed(OracleKind kind, string name)
    {
        var e = Assert.Throws<PolicyNotDeployableException>(() => new EarlyExitRuntime<TokenBatch>(Model, new OraclePolicy(kind)));

        Assert.Equal("policy", e.ParamName);
        Assert.StartsWith($"policy '{name}' is not deployable", e.Message, StringComparison.Ordinal);
        Assert.Contains("TraceEvaluator", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APolicyThatDoesNotFitTheModelIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new EarlyExitRuntime<TokenBatch>(Model, new StaticExitPolicy(7)));

        Assert.Contains("between 1 and 6 (the number of exits); got 7", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEncoderSwitchedBackToTrainingIsRefused()
    {
        using var encoder = new MultiExitEncoder(TinyConfig);
        var model = new EncoderExitModel(encoder);
        encoder.train();
        var runtime = new EarlyExitRuntime<TokenBatch>(model, new StaticExitPolicy(1));

        var e = Assert.Throws<InvalidOperationException>(() => runtime.Run(TinyBatch()));

        Assert.Contains("training mode", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonFiniteLogitsFailNamingTheInputAndTheExit()
    {
        using var encoder = new MultiExitEncoder(TinyConfig);
        using (no_grad())
        {
            encoder.named_parameters().Single(p => p.name == "exits.0.classifier.bias").parameter.fill_(float.NaN);
        }
        var runtime = new EarlyExitRuntime<TokenBatch>(new EncoderExitModel(encoder), new StaticExitPolicy(2));

        var e = Assert.Throws<InvalidLogitsException>(() => runtime.Run(TinyBatch()));

        Assert.Equal(0, e.Sample);
        Assert.Equal(0, e.Exit);
    }

    private static readonly EncoderConfig TinyConfig = new()
    {
        VocabularySize = 30522, HiddenSize = 8, LayerCount = 2, HeadCount = 2, IntermediateSize = 16, ClassCount = 2,
    };

    private static TokenBatch TinyBatch() => MiniLmTestModel.Tokenizer.EncodeBatch(["One.", "Two words."]);

    private static void AssertMatchesFullRun(IReadOnlyList<ExitResult> results, int[] expectedExits, float[] full, TokenBatch batch)
    {
        int exits = Model.ExitCount, classes = Model.ClassCount;
        Assert.Equal(expectedExits.Length, results.Count);
        for (int n = 0; n < results.Count; n++)
        {
            ExitResult r = results[n];
            int exit = expectedExits[n];
            Assert.Equal(exit, r.ExitIndex);
            ReadOnlySpan<float> z = full.AsSpan(((n * exits) + exit) * classes, classes);
            Assert.Equal(ExitSignals.Compute(z).Prediction, r.Prediction);
            double[] expected = Softmax(z);
            Assert.Equal(classes, r.Probabilities.Length);
            for (int c = 0; c < classes; c++)
            {
                Assert.True(Math.Abs(expected[c] - r.Probabilities[c]) <= ProbabilityTolerance,
                    $"input {n}, class {c}: p = {r.Probabilities[c]}, full run {expected[c]}");
            }
            int tokens = batch.Lengths.Span[n];
            Assert.Equal(ModelFlops.UpToExit(Model, exit, tokens), r.Flops);
            Assert.Equal(ModelFlops.FullModel(Model, tokens), r.FullModelFlops);
        }
    }

    private static void AssertEachRowRanOnlyItsLayers<T>(CountingExitModel<T> counting, int[] exits)
    {
        for (int n = 0; n < exits.Length; n++)
        {
            for (int k = 0; k < counting.ExitCount; k++)
            {
                int expected = k <= exits[n] ? 1 : 0; // layers and heads 0..exit once each, none after
                Assert.True(expected == counting.LayerCalls[k][n], $"input {n} exits at {exits[n]} but layer {k} ran on it {counting.LayerCalls[k][n]} times");
                Assert.True(expected == counting.ExitCalls[k][n], $"input {n} exits at {exits[n]} but exit head {k} ran on it {counting.ExitCalls[k][n]} times");
            }
        }
    }

    private static double[] Softmax(ReadOnlySpan<float> z)
    {
        double max = z[0];
        foreach (float v in z) max = Math.Max(max, v);
        var p = new double[z.Length];
        for (int c = 0; c < z.Length; c++) p[c] = Math.Exp(z[c] - max);
        double sum = p.Sum();
        for (int c = 0; c < p.Length; c++) p[c] /= sum;
        return p;
    }
}
