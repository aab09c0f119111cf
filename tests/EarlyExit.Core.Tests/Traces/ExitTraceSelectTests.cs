using EarlyExit.Core.Tests.TestDoubles;
using EarlyExit.Core.Traces;

namespace EarlyExit.Core.Tests.Traces;

/// <summary>Parts of a trace (a calibration/test split) and pooled traces.</summary>
public sealed class ExitTraceSelectTests
{
    [Fact]
    public void Select_copies_the_named_samples_in_order()
    {
        ExitTrace trace = HandTraces.FourSamples([1, 2, 3], 3);
        ExitTrace part = trace.Select([3, 1, 1]);
        Assert.Equal(3, part.SampleCount);
        Assert.Equal([1, 1, 1], part.Labels.ToArray()); // labels of s3, s1, s1
        Assert.Equal(trace.Logits(3, 2).ToArray(), part.Logits(0, 2).ToArray());
        Assert.Equal(trace.Logits(1, 0).ToArray(), part.Logits(2, 0).ToArray());
        Assert.Equal(trace.CumulativeFlops.ToArray(), part.CumulativeFlops.ToArray());
        Assert.Contains("samples[0] is 4; the trace has samples 0..3", Assert.Throws<ArgumentException>(() => trace.Select([4])).Message);
    }

    [Fact]
    public void Per_sample_flops_follow_their_samples_through_select_and_concat()
    {
        // Synthetic per-sample costs: sample n costs (n+1)·(1, 2, 3) and n+1 without exits.
        ExitTrace trace = HandTraces.FourSamples().WithSampleFlops([1, 2, 3, 2, 4, 6, 3, 6, 9, 4, 8, 12], [1, 2, 3, 4]);
        ExitTrace part = trace.Select([3, 1]);
        Assert.Equal([4, 8, 12, 2, 4, 6], part.SampleCumulativeFlops.ToArray());
        Assert.Equal([4, 2], part.SampleFullModelFlops.ToArray());
        Assert.Equal([3, 6, 9], part.CumulativeFlops.ToArray()); // the part's own means, not the whole trace's (2.5, 5, 7.5)
        Assert.Equal(3, part.FullModelFlops);
        ExitTrace pooled = ExitTrace.Concat(part, trace.Select([0]));
        Assert.Equal([4, 8, 12, 2, 4, 6, 1, 2, 3], pooled.SampleCumulativeFlops.ToArray());
        Assert.Equal([4, 2, 1], pooled.SampleFullModelFlops.ToArray());
        Assert.True(trace.WithProvenance(null).HasSampleFlops);
        Assert.Contains("sample 1's FLOPs at exit 2 are 1", Assert.Throws<ArgumentException>(() =>
            HandTraces.FourSamples().WithSampleFlops([1, 2, 3, 2, 4, 1, 3, 6, 9, 4, 8, 12], [1, 2, 3, 4])).Message);
    }

    [Fact]
    public void Concat_pools_two_traces_of_one_model()
    {
        ExitTrace trace = HandTraces.FourSamples();
        ExitTrace pooled = ExitTrace.Concat(trace, trace.Select([0]));
        Assert.Equal(5, pooled.SampleCount);
        Assert.Equal([0, 1, 0, 1, 0], pooled.Labels.ToArray());
        Assert.Equal(trace.Logits(0, 1).ToArray(), pooled.Logits(4, 1).ToArray());
        Assert.Throws<ArgumentException>(() => ExitTrace.Concat(trace, HandTraces.Random(3, 2, 2, seed: 1)));
        // Each split's FLOPs are its own means: pooled, the sample-weighted mean (3 samples at 1, 2, 3
        // and 1 at 5, 6, 7 → (3·1 + 5)/4 = 2, 3, 4; full (3·3 + 7)/4 = 4).
        ExitTrace costly = ExitTrace.Concat(HandTraces.FourSamples([1, 2, 3], 3).Select([0, 1, 2]), HandTraces.FourSamples([5, 6, 7], 7).Select([3]));
        Assert.Equal([2.0, 3.0, 4.0], costly.CumulativeFlops.ToArray());
        Assert.Equal(4.0, costly.FullModelFlops);
    }
}
