using EarlyExit.Core.Policies;
using static EarlyExit.Core.Tests.Policies.PolicyTestKit;

namespace EarlyExit.Core.Tests.Policies;

// The exit sequences here are synthetic: only the predictions are set.
public class OraclePolicyTests
{
    private static readonly OraclePolicy Oracle = new(OracleKind.AgreesWithFinal);
    private static readonly OraclePolicy CorrectOracle = new(OracleKind.FirstCorrect);

    [Fact]
    public void OracleLeavesAtTheFirstExitAgreeingWithTheFinalOne()
    {
        // Predictions (2, 0, 1, 1), final 1: 2 ≠ 1, 0 ≠ 1, 1 = 1 → exit 2.
        var exits = WithPredictions(2, 0, 1, 1);
        Assert.Equal(2, FirstExit(Oracle, exits, new SampleHindsight(FinalPrediction: 1, Label: 0)));
    }

    [Fact]
    public void CorrectOracleLeavesAtTheFirstCorrectExit()
    {
        // Predictions (2, 0, 1, 1), label 0: 2 ≠ 0, 0 = 0 → exit 1 (earlier than the agreeing oracle).
        var exits = WithPredictions(2, 0, 1, 1);
        Assert.Equal(1, FirstExit(CorrectOracle, exits, new SampleHindsight(FinalPrediction: 1, Label: 0)));
    }

    [Fact]
    public void CorrectOracleWithNoCorrectExitLeavesAtTheLast()
    {
        // Label 3 is never predicted: every exit continues except the last (3), which always exits.
        var exits = WithPredictions(2, 0, 1, 1);
        Assert.Equal(3, FirstExit(CorrectOracle, exits, new SampleHindsight(FinalPrediction: 1, Label: 3)));
    }

    [Fact]
    public void OracleWorksThroughExitReplay()
    {
        var exits = WithPredictions(4, 4, 5);
        Assert.Equal(2, ExitReplay.ExitIndex(Oracle, exits, new SampleHindsight(5, 4)));
        Assert.Equal(0, ExitReplay.ExitIndex(CorrectOracle, exits, new SampleHindsight(5, 4)));
    }

    [Fact]
    public void OracleWithoutHindsightThrows()
    {
        foreach (var oracle in new[] { Oracle, CorrectOracle })
        {
            var ex = Assert.Throws<InvalidOperationException>(() => FirstExit(oracle, WithPredictions(0, 1)));
            Assert.Contains("the oracle policies are evaluation bounds and need the sample's hindsight (final prediction, label)", ex.Message);
            Assert.Contains(oracle.Name, ex.Message);
        }
    }

    [Fact]
    public void CorrectOracleWithUnknownLabelThrowsButTheAgreeingOracleDoesNot()
    {
        var hindsight = new SampleHindsight(FinalPrediction: 1, Label: -1);
        var ex = Assert.Throws<InvalidOperationException>(() => FirstExit(CorrectOracle, WithPredictions(0, 1), hindsight));
        Assert.Contains("label is -1 (unknown)", ex.Message);
        Assert.Equal(1, FirstExit(Oracle, WithPredictions(0, 1), hindsight));
    }

    [Fact]
    public void NamesAndDeployability()
    {
        Assert.Equal("oracle", Oracle.Name);
        Assert.Equal("correct-oracle", CorrectOracle.Name);
        Assert.False(Oracle.IsDeployable);
        Assert.False(CorrectOracle.IsDeployable);
        Assert.True(double.IsNaN(Oracle.Parameter));
        Assert.Equal(OracleKind.FirstCorrect, CorrectOracle.Kind);
    }

    [Fact]
    public void RejectsAnUndefinedKind()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new OraclePolicy((OracleKind)9));
        Assert.Equal("kind", ex.ParamName);
        Assert.Contains("got 9", ex.Message);
    }
}
