using EarlyExit.Core.Sampling;
using EarlyExit.Torch.Training;

namespace EarlyExit.Torch.Tests.Training;

/// <summary>The seeds of a run: they fix what a resumed run repeats, so they must not drift.</summary>
public sealed class TrainingRunTests
{
    [Fact]
    public void StepSeedIsSplitMix64OfSeedAndStep()
    {
        // Seed 0, step 0: the state 0 · 2³² + 0 = 0, whose first SplitMix64 output is
        // 0xE220A8397B1DCDAF (splitmix64.c's reference); the sign bit cleared: 0x6220A8397B1DCDAF.
        Assert.Equal(0x6220A8397B1DCDAFL, TrainingRun.StepSeed(0, 0));
    }

    [Fact]
    public void AnEpochsOrderIsTheSeededShuffleOfItsSeed()
    {
        int[] order = TrainingRun.Permutation(100, seed: 42, epoch: 3);

        Assert.Equal(SeededShuffle.Permutation(100, (ulong)TrainingRun.StepSeed(42, -4)), order);
        Assert.Equal(Enumerable.Range(0, 100), order.Order());
        Assert.NotEqual(order, TrainingRun.Permutation(100, seed: 42, epoch: 4));
    }
}
