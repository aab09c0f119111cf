using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Signals;
using EarlyExit.Core.Tests.TestDoubles;

namespace EarlyExit.Core.Tests.Evaluation;

public class ParameterGridTests
{
    [Fact]
    public void Linear_IncludesBothEnds()
    {
        Assert.Equal([0.5, 0.625, 0.75, 0.875, 1.0], ParameterGrid.Linear(0.5, 1.0, 5).ToArray());
    }

    [Fact]
    public void Linear_RejectsFewerThanTwoValues()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ParameterGrid.Linear(0, 1, 1));
        Assert.Equal("count", e.ParamName);
    }

    [Fact]
    public void SignalQuantiles_AreObservedValuesOfTheInternalExits()
    {
        // Internal exits 0 and 1 of the hand trace; max-probs (.75, .9), (.9, .75), (.75, .75), (.75, .75):
        // sorted: .75 ×6, .9 ×2 (L = 8). Quantiles q = 0, .5, 1 → indices 0, round(3.5) = 4, 7 → .75, .75, .9;
        // merged: (.75, .9). The last exit's .9s are not included (they would only add weight to .9).
        var evaluator = new TraceEvaluator(HandTraces.FourSamples());
        var grid = ParameterGrid.SignalQuantiles(evaluator, ExitSignal.MaxProb, 3);
        Assert.Equal(2, grid.Length);
        Assert.Equal(0.75, grid[0], 6);
        Assert.Equal(0.9, grid[1], 6);
        Assert.Equal((double)evaluator.Signals[0].MaxProb, grid[0]); // an observed float, exactly
    }

    [Fact]
    public void SignalQuantiles_AreAscendingAndDistinct()
    {
        var evaluator = new TraceEvaluator(HandTraces.Random(2000, 5, 4, seed: 5));
        var grid = ParameterGrid.SignalQuantiles(evaluator, ExitSignal.Entropy, 50);
        Assert.Equal(50, grid.Length); // continuous random logits: no ties among 6,000 values
        for (int i = 1; i < grid.Length; i++) Assert.True(grid[i] > grid[i - 1]);
    }
}
