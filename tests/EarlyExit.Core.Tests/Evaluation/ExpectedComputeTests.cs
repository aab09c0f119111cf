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

    [Fact]
    public void WithSampleFlops_LongInputsThatExitLateWeighWhatTheyCost()
    {
        // FourSamples (M = 3). Each sample's own cumulative FLOPs and full-model FLOPs (synthetic:
        // samples 0 and 1 short texts, 2 and 3 long ones): rows (1, 2, 3 | full 2.5), (1, 2, 3 | 2.5),
        // (10, 20, 31 | 30), (10, 20, 31 | 30). Exits 0, 1, 2, 2 (the long ones run to the end):
        // Σ F_n(e_n) = 1 + 2 + 31 + 31 = 65 over Σ F_n(full) = 2.5 + 2.5 + 30 + 30 = 65 → 1.
        // One mean cost per exit (5.5, 11, 17 | 16.25) would say (5.5 + 11 + 2·17) / (4·16.25) = 0.777:
        // the long texts' lateness hidden in the averages.
        var trace = HandTraces.FourSamples([5.5, 11, 17], 16.25)
            .WithSampleFlops([1, 2, 3, 1, 2, 3, 10, 20, 31, 10, 20, 31], [2.5, 2.5, 30, 30]);
        Assert.Equal(1.0, ExpectedCompute.FromExits(trace, [0, 1, 2, 2]), 12);
        Assert.Equal(50.5 / 65, ExpectedCompute.Fraction(trace, [1, 1, 2]), 12);
        // The evaluator replays policies with it: static k = 1 runs 1 + 1 + 10 + 10 = 22 of 65.
        var evaluator = new TraceEvaluator(trace);
        Assert.Equal(22.0 / 65, evaluator.Evaluate(new EarlyExit.Core.Policies.StaticExitPolicy(1)).ExpectedCompute, 12);
    }

    [Fact]
    public void WithoutSampleFlops_FromExitsIsTheHistogramFormula()
    {
        var trace = HandTraces.FourSamples([2, 4, 7], 6);
        Assert.Equal(5.0 / 6.0, ExpectedCompute.FromExits(trace, [0, 1, 2, 2]), 12);
        var e = Assert.Throws<ArgumentException>(() => ExpectedCompute.FromExits(trace, [0, 1]));
        Assert.Contains("exitIndices has 2 entries; the trace has 4 samples", e.Message);
    }
}
