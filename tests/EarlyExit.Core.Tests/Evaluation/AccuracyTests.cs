using EarlyExit.Core.Evaluation;

namespace EarlyExit.Core.Tests.Evaluation;

public class AccuracyTests
{
    [Fact]
    public void Of_IsTheFractionRight()
    {
        // predictions (0, 1, 1, 2, 0) vs labels (0, 1, 0, 2, 1): 3 right of 5 = 0.6.
        Assert.Equal(0.6, Accuracy.Of([0, 1, 1, 2, 0], [0, 1, 0, 2, 1]), 12);
    }

    [Fact]
    public void Empty_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Accuracy.Of([], []));
        Assert.Equal("predictions", e.ParamName);
        Assert.Contains("at least one sample; got 0", e.Message);
    }

    [Fact]
    public void LengthMismatch_IsRejectedWithBothLengths()
    {
        var e = Assert.Throws<ArgumentException>(() => Accuracy.Of([0, 1, 1], [0, 1]));
        Assert.Equal("labels", e.ParamName);
        Assert.Contains("predictions holds 3 samples but labels holds 2", e.Message);
    }
}
