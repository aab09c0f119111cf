using EarlyExit.Torch.Training;

namespace EarlyExit.Torch.Tests.Training;

public sealed class LearningRateScheduleTests
{
    [Fact]
    public void WarmsUpThenDecaysLinearlyWithoutAZeroStep()
    {
        // S = 10, W = 2: warm-up (i+1)/2 → 0.5, 1; decay (10 − i)/8 for i = 2..9 → 1, 0.875, …, 0.125.
        double[] factors = [.. Enumerable.Range(0, 10).Select(i => LearningRateSchedule.Factor(i, 10, 2))];
        Assert.Equal([0.5, 1, 1, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125], factors);
    }

    [Fact]
    public void WithoutWarmupStartsAtTheFullRate()
    {
        Assert.Equal(1.0, LearningRateSchedule.Factor(0, 4, 0));
        Assert.Equal(0.25, LearningRateSchedule.Factor(3, 4, 0)); // (4 − 3) / 4
    }

    [Fact]
    public void WarmupStepsAreTheRoundedShareKeptBelowTheTotal()
    {
        Assert.Equal(3, LearningRateSchedule.WarmupSteps(25, 0.1));  // 2.5 rounds away from zero
        Assert.Equal(0, LearningRateSchedule.WarmupSteps(1, 0.5));   // 0.5 → 1, capped at S − 1 = 0
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Factor(4, 4, 0));
    }
}
