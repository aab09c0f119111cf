using EarlyExit.Core.Evaluation;

namespace EarlyExit.Core.Tests.Evaluation;

public class MacroF1Tests
{
    [Fact]
    public void HandCase_SkipsTheClassWithNoSupportAndNoPredictions()
    {
        // C = 5, labels (0, 0, 1, 1, 2), predictions (0, 1, 1, 1, 3); F1 = 2TP / (2TP + FP + FN):
        // class 0: TP 1, FP 0, FN 1 → 2/3;  class 1: TP 2, FP 1, FN 0 → 4/5;
        // class 2: TP 0, FN 1 → 0;          class 3: TP 0, FP 1 → 0 (predicted, absent: counts);
        // class 4: nothing → skipped.  Mean over 4 classes: (2/3 + 4/5) / 4 = (22/15) / 4 = 11/30.
        Assert.Equal(11.0 / 30.0, MacroF1.Of([0, 1, 1, 1, 3], [0, 0, 1, 1, 2], 5), 12);
    }

    [Fact]
    public void PerfectPredictions_AreOne()
    {
        Assert.Equal(1.0, MacroF1.Of([2, 0, 1], [2, 0, 1], 4), 12);
    }

    [Fact]
    public void ConstantPrediction_OnBalancedBinary()
    {
        // predictions all 0, labels (0, 1, 0, 1): class 0 TP 2, FP 2 → 4/6 = 2/3; class 1 FN 2 → 0; mean 1/3.
        Assert.Equal(1.0 / 3.0, MacroF1.Of([0, 0, 0, 0], [0, 1, 0, 1], 2), 12);
    }

    [Fact]
    public void PredictionOutOfRange_IsRejectedWithIndexAndValue()
    {
        var e = Assert.Throws<ArgumentException>(() => MacroF1.Of([0, 7], [0, 1], 2));
        Assert.Equal("predictions", e.ParamName);
        Assert.Contains("predictions[1] is 7; must be a class in [0, 2)", e.Message);
    }

    [Fact]
    public void LengthMismatch_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => MacroF1.Of([0], [0, 1], 2));
        Assert.Contains("predictions holds 1 samples but labels holds 2", e.Message);
    }
}
