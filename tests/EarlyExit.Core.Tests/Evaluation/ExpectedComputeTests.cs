using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Tests.TestDoubles;

namespace EarlyExit.Core.Tests.Evaluation;

public class ExpectedComputeTests
{
    [Fact]
    public void WithoutFlops_EachLayerCostsTheSame()
    {
        // M = 3, exits (1, 1, 2 samples) → f = (1/3, 2/3, 1): (1/3 + 2/3 + 2·1) / 4 = 3/4.
        var trace = HandTraces.FourSamples();
        Assert.Equal(0.75, ExpectedCompute.Fraction(trace, [1, 1, 2]), 12);
    }

    [Fact]
    public void WithFlops_UsesCumulativeFlopsOverTheFullModel()
    {
        // cumulative FLOPs (2, 4, 7), plain model 6 → f = (1/3, 2/3, 7/6):
        // (1/3 + 2/3 + 2·7/6) / 4 = (1 + 7/3) / 4 = (10/3) / 4 = 5/6. Above 1 per sample at the
        // last exit: the internal heads are work the plain model does not do.
        var trace = HandTraces.FourSamples([2, 4, 7], 6);
        Assert.Equal(5.0 / 6.0, ExpectedCompute.Fraction(trace, [1, 1, 2]), 12);
    }

    [Fact]
    public void LengthMismatch_IsRejectedWithBothLengths()
    {
        var e = Assert.Throws<ArgumentException>(() => ExpectedCompute.Fraction(HandTraces.FourSamples(), [1, 3]));
        Assert.Equal("exitCounts", e.ParamName);
        Assert.Contains("exitCounts has 2 entries; the trace has 3 exits", e.Message);
    }

    [Fact]
    public void NoSample_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => ExpectedCompute.Fraction(HandTraces.FourSamples(), [0, 0, 0]));
        Assert.Contains("all 3 counts are 0", e.Message);
    }
}
