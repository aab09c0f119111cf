using EarlyExit.Cli.Evaluation;
using EarlyExit.Cli.Tests.TestDoubles;
using EarlyExit.Core.Calibration;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Evaluation;

namespace EarlyExit.Cli.Tests.Evaluation;

public sealed class PolicyBenchmarkTests
{
    private static readonly TraceEvaluator Validation = new(RandomTraces.Create(400, seed: 1));
    private static readonly TraceEvaluator Test = new(RandomTraces.Create(600, seed: 2));
    private static readonly ExitCalibration Calibration = ExitCalibration.Fit(Validation);
    private static readonly EvaluationResult Result = PolicyBenchmark.Run(Calibration, Validation, Test, "test");

    [Fact]
    public void Every_catalog_policy_has_rows()
    {
        Assert.Equal(PolicyCatalog.Names, Result.Rows.Select(r => r.Policy).Distinct());
    }

    [Fact]
    public void Tuned_families_get_one_row_per_speedup_target_whose_validation_speedup_meets_it()
    {
        var tuned = Result.Rows.Where(r => r.Selection == RowSelection.Speedup).ToList();
        // 5 thresholds, patience, BEEM-C, BEEM-A: 8 families × 3 targets.
        Assert.Equal(8 * 3, tuned.Count);
        foreach (EvaluationRow row in tuned.Where(r => r.TargetMet))
            Assert.True(row.Validation.SpeedupRatio >= row.Target, $"{row.Policy} at {row.Target}× reaches {row.Validation.SpeedupRatio} on validation");
        foreach (EvaluationRow row in tuned.Where(r => !r.TargetMet))
            Assert.True(row.Validation.SpeedupRatio < row.Target);
    }

    [Fact]
    public void Static_rows_are_each_exit_forced_on_the_reported_split()
    {
        var rows = Result.Rows.Where(r => r.Selection == RowSelection.Layers).ToList();

        Assert.Equal([1.0, 2.0, 3.0, 4.0], rows.Select(r => r.Parameter!.Value));
        for (int k = 1; k <= 4; k++)
        {
            Assert.Equal(Test.ExitAccuracies[k - 1], rows[k - 1].Result.Accuracy, 12);
            Assert.Equal(4.0 / k, rows[k - 1].Result.SpeedupRatio, 12); // M / k when every sample runs k layers
        }
        Assert.Equal(Test.ExitAccuracies[^1], Result.FinalExitAccuracy);
    }

    [Fact]
    public void Pcee_rows_cover_the_delta_grid_and_the_calibrated_default()
    {
        double defaultDelta = Calibration.DefaultPolicy.Parameter!.Value;
        var deltas = Result.Rows.Where(r => r.Policy == "pcee").Select(r => r.Parameter!.Value).ToList();

        Assert.Equal(PolicyBenchmark.DeltaGrid.Append(defaultDelta).Distinct().Order(), deltas);
        Assert.All(Result.Rows.Where(r => r.Selection == RowSelection.Delta), r => Assert.Equal(r.Target, r.Parameter));
    }

    [Fact]
    public void The_correct_oracle_is_at_least_as_accurate_as_any_static_exit()
    {
        EvaluationRow oracle = Result.Rows.Single(r => r.Policy == "correct-oracle");

        Assert.Equal(RowSelection.Bound, oracle.Selection);
        Assert.False(oracle.Result.IsDeployable);
        Assert.True(oracle.Result.Accuracy >= Test.ExitAccuracies.Max());
    }

    [Fact]
    public void Curves_sweep_every_family_with_more_than_one_parameter()
    {
        Assert.Equal(PolicyCatalog.Names.Where(n => !n.EndsWith("oracle", StringComparison.Ordinal)), Result.Curves.Select(c => c.PolicyName));
        Assert.All(Result.Curves, c => Assert.Equal(c.Grid.Length, c.Points.Length));
    }
}
