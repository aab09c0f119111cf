using EarlyExit.Torch.Models;
using EarlyExit.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Training;

/// <summary>Head-only training on the head-input cache (docs/algorithms.md §3.6) against training through the whole network.</summary>
[Collection(TorchGeneratorCollection.Name)]
public sealed class HeadInputCacheTests
{
    // No dropout anywhere: then the frozen backbone's output is the same in training and evaluation
    // mode, and cached and uncached training must take the same steps.
    private static readonly EncoderConfig NoDropout = TrainingFixtures.Tiny with { HiddenDropout = 0, AttentionDropout = 0 };

    private readonly List<TrainingExample> _train = TrainingFixtures.Synthetic(80, seed: 1);
    private readonly List<TrainingExample> _validation = TrainingFixtures.Synthetic(24, seed: 2);

    private static MultiExitEncoder NewModel()
    {
        manual_seed(9);
        return new MultiExitEncoder(NoDropout);
    }

    private static TrainerOptions Options(bool cache) => new()
    {
        Epochs = 2, BatchSize = 16, LearningRate = 1e-2, FreezeBackbone = true, CacheHeadInputs = cache, EvaluationBatchSize = 32,
    };

    [Theory]
    [InlineData("joint")]
    [InlineData("self-distill")]
    public void CachedAndUncachedHeadTrainingEndWithTheSameWeights(string objective)
    {
        using MultiExitEncoder cached = NewModel(), uncached = NewModel();
        ITrainingObjective Create() => objective == "joint" ? new JointObjective() : new SelfDistillObjective();

        TrainingResult a = new MultiExitTrainer(cached, Create(), Options(cache: true), TrainingFixtures.Labels).Train(_train, _validation);
        TrainingResult b = new MultiExitTrainer(uncached, Create(), Options(cache: false), TrainingFixtures.Labels).Train(_train, _validation);

        var expected = uncached.state_dict();
        foreach (var (name, value) in cached.state_dict())
        {
            double difference = (value - expected[name]).abs().max().item<float>();
            Assert.True(difference <= 1e-6, $"{name} differs by {difference}");
        }
        Assert.Equal(b.Epochs.Select(e => e.Validation!.ExitAccuracies), a.Epochs.Select(e => e.Validation!.ExitAccuracies));
        Assert.Equal(b.Epochs.Select(e => e.MeanLoss), a.Epochs.Select(e => e.MeanLoss), new Tolerance(1e-6));
    }

    [Fact]
    public void TheBackboneRunsOnceForTheWholeRunAndTheCacheCostsExitsTimesWidthFloats()
    {
        using MultiExitEncoder model = NewModel();
        var counting = new CountingNetwork(model);

        new MultiExitTrainer(counting, new JointObjective(), Options(cache: true), TrainingFixtures.Describe(model)).Train(
            TrainingFixtures.Tokens(_train), TrainingFixtures.Tokens(_validation));

        // ⌈80 / 32⌉ = 3 batches of the training set and ⌈24 / 32⌉ = 1 of validation, once; no full forward pass after.
        Assert.Equal(4, counting.HeadInputCalls);
        Assert.Equal(0, counting.ForwardCalls);
        // 2 exits × 32 wide × 4 bytes + the 8-byte label.
        Assert.Equal(2 * 32 * 4 + 8, HeadInputCache.BytesPerExample(2, 32));
    }

    [Fact]
    public void WithoutTheCacheEveryStepRunsTheWholeNetwork()
    {
        using MultiExitEncoder model = NewModel();
        var counting = new CountingNetwork(model);

        new MultiExitTrainer(counting, new JointObjective(), Options(cache: false), TrainingFixtures.Describe(model)).Train(TrainingFixtures.Tokens(_train));

        Assert.Equal(0, counting.HeadInputCalls);
        Assert.Equal(2 * 5, counting.ForwardCalls); // 2 epochs × ⌈80 / 16⌉ steps
    }

    private sealed class Tolerance(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }

    /// <summary>The encoder, counting its full forward passes and its head-input passes.</summary>
    private sealed class CountingNetwork(MultiExitEncoder inner) : IHeadInputNetwork
    {
        private IHeadInputNetwork Inner => inner;

        public int ForwardCalls { get; private set; }

        public int HeadInputCalls { get; private set; }

        public nn.Module Module => inner;

        public int ExitCount => inner.LayerCount;

        public int ClassCount => inner.Config.ClassCount;

        public int HeadInputSize => Inner.HeadInputSize;

        public Tensor Forward(TrainingBatch batch)
        {
            ForwardCalls++;
            return ((IMultiExitNetwork)inner).Forward(batch);
        }

        public Tensor HeadInputs(TrainingBatch batch)
        {
            HeadInputCalls++;
            return Inner.HeadInputs(batch);
        }

        public Tensor ExitLogits(Tensor headInputs) => Inner.ExitLogits(headInputs);
    }
}
