using EarlyExit.Core.RiskControl;
using EarlyExit.Core.Sampling;
using EarlyExit.Core.Tests.TestDoubles;
using EarlyExit.Core.Traces;

namespace EarlyExit.Core.Tests.RiskControl;

/// <summary>The resampling check of docs/algorithms.md §5 on a synthetic trace of known risk.</summary>
public sealed class ResampleCheckTests
{
    private static ExitTrace KnownRisk(int n, ulong seed)
    {
        var random = new SplitMix64(seed);
        return KnownRiskTraces.Draw(n, ref random);
    }

    [Fact]
    public void Risk_control_violates_at_most_delta_of_the_draws_and_the_table_is_complete()
    {
        ExitTrace pooled = KnownRisk(800, 3);
        var results = ResampleCheck.Run(pooled, RiskMeasure.Disagreement, [0.02, 0.05], 0.1, draws: 300, seed: 5);

        Assert.Equal(2 * ResampleCheck.Methods.Length, results.Length);
        Assert.Equal(ResampleCheck.Methods, results.Take(ResampleCheck.Methods.Length).Select(r => r.Method));
        Assert.All(results, r =>
        {
            Assert.InRange(r.ViolationRate, 0, 1);
            Assert.InRange(r.MeanSpeedup, 1, 2);
            Assert.Equal(300, r.Draws);
        });
        foreach (var r in results.Where(r => r.Method == ResampleCheck.RiskControlledName))
        {
            // The guarantee is over the calibration half; the test half's own noise adds to the
            // violation rate (§5: "beyond what the finite test half explains"), so 3 standard errors
            // of a rate of δ over 300 draws, plus slack for a test half of 400.
            Assert.True(r.ViolationRate <= 0.1 + (3 * Math.Sqrt(0.09 / 300)) + 0.05, $"ε = {r.Epsilon}: violation rate {r.ViolationRate}");
            Assert.True(r.MeanSpeedup > 1.05, $"ε = {r.Epsilon}: mean speed-up {r.MeanSpeedup}");
        }
        // Only risk control ever falls back.
        Assert.All(results.Where(r => r.Method != ResampleCheck.RiskControlledName), r => Assert.Equal(0, r.FellBackRate));
    }

    [Fact]
    public void The_same_seed_gives_the_same_table()
    {
        ExitTrace pooled = KnownRisk(200, 9);
        Assert.Equal(ResampleCheck.Run(pooled, RiskMeasure.Error, [0.05], 0.1, 40, 1).ToArray(),
            ResampleCheck.Run(pooled, RiskMeasure.Error, [0.05], 0.1, 40, 1).ToArray());
        Assert.NotEqual(ResampleCheck.Run(pooled, RiskMeasure.Error, [0.05], 0.1, 40, 1).ToArray(),
            ResampleCheck.Run(pooled, RiskMeasure.Error, [0.05], 0.1, 40, 2).ToArray());
    }
}
