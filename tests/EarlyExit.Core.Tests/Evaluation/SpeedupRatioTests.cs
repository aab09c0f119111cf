using EarlyExit.Core.Evaluation;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace EarlyExit.Core.Tests.Evaluation;

public class SpeedupRatioTests
{
    [Fact]
    public void AllAtFirstExit_IsM()
    {
        // M = 4, N_1 = 10: 4·10 / (1·10) = 4.
        Assert.Equal(4.0, SpeedupRatio.FromExitCounts([10, 0, 0, 0]), 12);
    }

    [Fact]
    public void AllAtLastExit_IsOne()
    {
        // M = 4, N_4 = 10: 4·10 / (4·10) = 1.
        Assert.Equal(1.0, SpeedupRatio.FromExitCounts([0, 0, 0, 10]), 12);
    }

    [Fact]
    public void MixedHistogram_MatchesHandValue()
    {
        // M = 4, N = (2, 0, 1, 1): Σ M·N_m = 4·4 = 16; Σ m·N_m = 1·2 + 3·1 + 4·1 = 9 → 16/9.
        Assert.Equal(16.0 / 9.0, SpeedupRatio.FromExitCounts([2, 0, 1, 1]), 12);
    }

    [Fact]
    public void FromExitIndices_CountsThenDivides()
    {
        // 0-based exits (0, 0, 2, 3) = the histogram (2, 0, 1, 1) above → 16/9.
        Assert.Equal(16.0 / 9.0, SpeedupRatio.FromExitIndices([0, 3, 2, 0], 4), 12);
    }

    [Property(MaxTest = 300)]
    public Property LiesBetweenOneAndM()
    {
        var histograms = Gen.Choose(1, 12)
            .SelectMany(m => Gen.ArrayOf(Gen.Choose(0, 1000), m))
            .Where(counts => counts.Sum() > 0)
            .ToArbitrary();
        return Prop.ForAll(histograms, counts =>
        {
            double s = SpeedupRatio.FromExitCounts(counts);
            return s >= 1.0 && s <= counts.Length;
        });
    }

    [Fact]
    public void Empty_IsRejectedWithItsName()
    {
        var e = Assert.Throws<ArgumentException>(() => SpeedupRatio.FromExitCounts([]));
        Assert.Equal("exitCounts", e.ParamName);
        Assert.Contains("got 0 exits", e.Message);
    }

    [Fact]
    public void NegativeCount_IsRejectedWithIndexAndValue()
    {
        var e = Assert.Throws<ArgumentException>(() => SpeedupRatio.FromExitCounts([3, -1, 2]));
        Assert.Contains("exitCounts[1] is -1", e.Message);
    }

    [Fact]
    public void NoSample_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => SpeedupRatio.FromExitCounts([0, 0, 0]));
        Assert.Contains("all 3 counts are 0", e.Message);
    }

    [Fact]
    public void ExitIndexOutOfRange_IsRejectedWithSampleAndValue()
    {
        var e = Assert.Throws<ArgumentException>(() => SpeedupRatio.FromExitIndices([0, 4], 4));
        Assert.Equal("exitIndices", e.ParamName);
        Assert.Contains("exit index of sample 1 is 4; must be in [0, 4)", e.Message);
    }
}
