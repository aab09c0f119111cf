using EarlyExit.Core.Evaluation;

namespace EarlyExit.Core.Tests.Evaluation;

public class ExitDecisionRatesTests
{
    // Correct per exit (M = 3) for the 4-sample hand trace (synthetic):
    //   s0 T T T,  s1 F T T,  s2 F T T,  s3 F F F
    private static readonly bool[] Correct =
    [
        true, true, true,
        false, true, true,
        false, true, true,
        false, false, false,
    ];

    [Fact]
    public void HandTrace_CountsEveryDecisionPoint()
    {
        // exits (1, 0, 2, 2); decision points are exits 0..min(e, M−2 = 1):
        //   s0 e=1: exit 0 right, continue (delayed); exit 1 right, exit.
        //   s1 e=0: exit 0 wrong, exit (premature).
        //   s2 e=2: exit 0 wrong, continue; exit 1 right, continue (delayed). Exit 2 is forced.
        //   s3 e=2: exit 0 wrong, continue; exit 1 wrong, continue.
        // wrong points 4 (s1-0, s2-0, s3-0, s3-1), premature 1 → 1/4;
        // right points 3 (s0-0, s0-1, s2-1), delayed 2 → 2/3.
        var rates = ExitDecisionRates.Count([1, 0, 2, 2], Correct, 3);
        Assert.Equal(new ExitDecisionRates(WrongDecisionPoints: 4, PrematureExits: 1, RightDecisionPoints: 3, DelayedContinues: 2), rates);
        Assert.Equal(0.25, rates.PrematureRate, 12);
        Assert.Equal(2.0 / 3.0, rates.DelayedRate, 12);
    }

    [Fact]
    public void AllAtFirstExit_NeverDelays()
    {
        // exits (0, 0, 0, 0): one decision each at exit 0: s0 right exit; s1, s2, s3 wrong exits.
        var rates = ExitDecisionRates.Count([0, 0, 0, 0], Correct, 3);
        Assert.Equal(1.0, rates.PrematureRate, 12); // 3 / 3
        Assert.Equal(0.0, rates.DelayedRate, 12);   // 0 / 1
    }

    [Fact]
    public void SingleExit_HasNoDecisionPoints()
    {
        var rates = ExitDecisionRates.Count([0, 0], [true, false], 1);
        Assert.Equal(0, rates.WrongDecisionPoints + rates.RightDecisionPoints);
        Assert.True(double.IsNaN(rates.PrematureRate));
        Assert.True(double.IsNaN(rates.DelayedRate));
    }

    [Fact]
    public void ShapeMismatch_IsRejectedWithTheShape()
    {
        var e = Assert.Throws<ArgumentException>(() => ExitDecisionRates.Count([0, 1], [true, true, true], 2));
        Assert.Equal("correct", e.ParamName);
        Assert.Contains("correct holds 3 values but 2 samples × 2 exits need 4", e.Message);
    }

    [Fact]
    public void ExitOutOfRange_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => ExitDecisionRates.Count([0, 2], [true, true, true, true], 2));
        Assert.Contains("exitIndices[1] is 2; must be in [0, 2)", e.Message);
    }
}
