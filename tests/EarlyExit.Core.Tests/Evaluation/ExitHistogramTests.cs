using EarlyExit.Core.Evaluation;

namespace EarlyExit.Core.Tests.Evaluation;

public class ExitHistogramTests
{
    [Fact]
    public void Count_TalliesEachExit()
    {
        // exits 2, 0, 2, 1, 2 over M = 4 → (1, 1, 3, 0).
        Assert.Equal([1, 1, 3, 0], ExitHistogram.Count([2, 0, 2, 1, 2], 4));
    }

    [Fact]
    public void NegativeIndex_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => ExitHistogram.Count([0, -1], 3));
        Assert.Contains("exit index of sample 1 is -1", e.Message);
    }

    [Fact]
    public void ZeroExits_IsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ExitHistogram.Count([0], 0));
        Assert.Equal("exitCount", e.ParamName);
    }
}
