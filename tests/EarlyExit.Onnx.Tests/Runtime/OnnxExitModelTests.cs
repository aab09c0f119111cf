using System.Collections.Immutable;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using EarlyExit.Data.Tokenization;
using EarlyExit.Onnx.Runtime;
using EarlyExit.Onnx.Tests.TestDoubles;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Runtime;
using static TorchSharp.torch;

namespace EarlyExit.Onnx.Tests.Runtime;

/// <summary>
/// The ONNX backend under the shared exit loop against the TorchSharp backend on the same weights:
/// for every policy, at batch 1 and batched, the same exit, the same prediction, the same FLOPs,
/// and probabilities within 1e-4.
/// </summary>
public sealed class OnnxExitModelTests
{
    private const float ProbabilityTolerance = 1e-4f;

    [Fact]
    public void BatchedRunsExitWhereTheTorchBackendExitsForEveryPolicy()
    {
        TokenBatch batch = MiniLmFixture.Tokenizer.EncodeBatch(MiniLmFixture.Sentences);
        ExitPolicy[] policies = Policies(batch);

        foreach (ExitPolicy policy in policies)
        {
            ImmutableArray<ExitResult> expected = new EarlyExitRuntime<TokenBatch>(MiniLmFixture.Torch, policy).Run(batch);

            ImmutableArray<ExitResult> actual = new EarlyExitRuntime<TokenBatch>(MiniLmFixture.Onnx, policy).Run(batch);

            AssertSameResults(expected, actual, policy);
        }
        // The splitting threshold really compacts the batch (rows leave at three or more exits),
        // so the ONNX segments ran on fewer rows than the batch had.
        ImmutableArray<ExitResult> split = new EarlyExitRuntime<TokenBatch>(MiniLmFixture.Onnx, policies[0]).Run(batch);
        Assert.True(split.Select(r => r.ExitIndex).Distinct().Count() >= 3, $"exits {string.Join(",", split.Select(r => r.ExitIndex))}");
    }

    [Fact]
    public void BatchOfOneExitsWhereTheTorchBackendExitsForEveryPolicy()
    {
        TokenBatch batch = MiniLmFixture.Tokenizer.EncodeBatch(MiniLmFixture.Sentences);
        ExitPolicy[] policies = Policies(batch);
        foreach (string sentence in MiniLmFixture.Sentences.Take(4))
        {
            TokenBatch single = MiniLmFixture.Tokenizer.Encode(sentence);
            foreach (ExitPolicy policy in policies)
            {
                ImmutableArray<ExitResult> expected = new EarlyExitRuntime<TokenBatch>(MiniLmFixture.Torch, policy).Run(single);

                ImmutableArray<ExitResult> actual = new EarlyExitRuntime<TokenBatch>(MiniLmFixture.Onnx, policy).Run(single);

                AssertSameResults(expected, actual, policy);
            }
        }
    }

    [Fact]
    public void RunLayerAndRunExitApartGiveWhatTheFusedSegmentGives()
    {
        TokenBatch batch = MiniLmFixture.Tokenizer.EncodeBatch(MiniLmFixture.Sentences.Take(3).ToList());
        OnnxExitModel model = MiniLmFixture.Onnx; // created outside the scope (see MiniLmFixture)
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        ExitBatchState state = model.Begin(batch);

        LayerStep fused = model.RunLayerAndExit(0, state);
        ExitBatchState layer = model.RunLayer(0, state);
        Tensor exit = model.RunExit(0, layer);

        // Same ORT graph for the layer, so the hidden states are bitwise equal; the head-only graph
        // is a different session, so the logits are compared to float32 rounding.
        Assert.True(fused.State.Hidden.eq(layer.Hidden).all().item<bool>());
        Assert.True(fused.Logits.allclose(exit, rtol: 0, atol: 1e-6));
        Assert.Equal([3L, MiniLmFixture.Classes], fused.Logits.shape);
    }

    [Fact]
    public void LayerIndexOutOfRangeNamesTheRange()
    {
        TokenBatch batch = MiniLmFixture.Tokenizer.Encode(MiniLmFixture.Sentences[0]);
        OnnxExitModel model = MiniLmFixture.Onnx;
        using var scope = NewDisposeScope();
        ExitBatchState state = model.Begin(batch);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.RunLayerAndExit(6, state));

        Assert.Equal("layerIndex", error.ParamName);
        Assert.StartsWith("layerIndex must be between 0 and 5 (the model has 6 layers); got 6", error.Message);
    }

    [Fact]
    public void BatchLongerThanThePositionsIsRefusedByBeginAndByTheFirstStep()
    {
        // A small random encoder (synthetic weights, fixed seed) with 8 positions; the sentence has more tokens.
        var config = new EncoderConfig
        {
            VocabularySize = MiniLmFixture.Tokenizer.VocabularySize, HiddenSize = 16, LayerCount = 2, HeadCount = 2,
            IntermediateSize = 32, ClassCount = 2, MaxPositions = 8,
        };
        random.manual_seed(3);
        using var encoder = new MultiExitEncoder(config);
        using OnnxExitModel model = OnnxExitModel.Create(encoder, MiniLmFixture.Options);
        TokenBatch batch = MiniLmFixture.Tokenizer.Encode(MiniLmFixture.Sentences[0]);
        Assert.True(batch.SequenceLength > 8);
        using var scope = NewDisposeScope();

        foreach (Action run in new Action[] { () => model.Begin(batch), () => model.RunFirstStep(batch) })
        {
            var error = Assert.Throws<ArgumentException>(run);
            Assert.Equal("batch", error.ParamName);
            Assert.StartsWith($"the batch has {batch.SequenceLength} tokens per row; the model has 8 positions", error.Message);
        }
    }

    [Fact]
    public void FlopsAreTheTorchBackendsCounts()
    {
        // Same config, same EncoderFlops formulas: 10 and 128 tokens, every layer and exit.
        for (int k = 0; k < 6; k++)
        {
            foreach (int tokens in new[] { 10, 128 })
            {
                Assert.Equal(MiniLmFixture.Torch.LayerFlops(k, tokens), MiniLmFixture.Onnx.LayerFlops(k, tokens));
                Assert.Equal(MiniLmFixture.Torch.ExitFlops(k, tokens), MiniLmFixture.Onnx.ExitFlops(k, tokens));
            }
        }
    }

    /// <summary>
    /// A max-prob threshold that splits the batch into ≥ 3 exit groups, placed midway in a gap of
    /// ≥ 4e-4 between observed confidences (so 1e-6 backend differences cannot flip a decision),
    /// patience 2, static exits after 1, 3 and 6 layers, and a normalised-entropy threshold placed the same way.
    /// </summary>
    private static ExitPolicy[] Policies(TokenBatch batch)
    {
        SignalValues[] signals = AllExitSignals(batch);
        return
        [
            new ThresholdPolicy(ExitSignal.MaxProb, MidGap(signals.Select(s => (double)s.MaxProb))),
            new PatiencePolicy(2),
            new StaticExitPolicy(1),
            new StaticExitPolicy(3),
            new StaticExitPolicy(6),
            new ThresholdPolicy(ExitSignal.NormalizedEntropy, MidGap(signals.Select(s => (double)s.NormalizedEntropy))),
        ];
    }

    /// <summary>Every exit's signals for every row of <paramref name="batch"/>, from the TorchSharp backend.</summary>
    private static SignalValues[] AllExitSignals(TokenBatch batch)
    {
        EncoderExitModel model = MiniLmFixture.Torch;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        ExitBatchState state = model.Begin(batch);
        var signals = new List<SignalValues>();
        for (int k = 0; k < model.ExitCount - 1; k++)
        {
            state = model.RunLayer(k, state);
            float[] logits = model.RunExit(k, state).data<float>().ToArray();
            for (int r = 0; r < state.RowCount; r++) signals.Add(ExitSignals.Compute(logits.AsSpan(r * model.ClassCount, model.ClassCount)));
        }
        return [.. signals];
    }

    /// <summary>The midpoint of the widest gap between consecutive values, away from both ends.</summary>
    private static double MidGap(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        int lo = sorted.Length / 4, hi = sorted.Length * 3 / 4, best = lo;
        for (int i = lo; i < hi; i++)
        {
            if (sorted[i + 1] - sorted[i] > sorted[best + 1] - sorted[best]) best = i;
        }
        Assert.True(sorted[best + 1] - sorted[best] >= 4e-4, $"no gap of 4e-4 among the middle half of the signals around {sorted[best]}");
        return (sorted[best] + sorted[best + 1]) / 2;
    }

    private static void AssertSameResults(ImmutableArray<ExitResult> expected, ImmutableArray<ExitResult> actual, ExitPolicy policy)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            string where = $"input {i} under {policy}";
            Assert.True(expected[i].ExitIndex == actual[i].ExitIndex, $"{where}: exit {actual[i].ExitIndex}, expected {expected[i].ExitIndex}");
            Assert.True(expected[i].Prediction == actual[i].Prediction, $"{where}: prediction {actual[i].Prediction}, expected {expected[i].Prediction}");
            Assert.Equal(expected[i].Flops, actual[i].Flops);
            Assert.Equal(expected[i].FullModelFlops, actual[i].FullModelFlops);
            for (int c = 0; c < expected[i].Probabilities.Length; c++)
            {
                float diff = Math.Abs(expected[i].Probabilities[c] - actual[i].Probabilities[c]);
                Assert.True(diff <= ProbabilityTolerance, $"{where}: p[{c}] {actual[i].Probabilities[c]}, expected {expected[i].Probabilities[c]}");
            }
        }
    }
}
