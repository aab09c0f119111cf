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

    [Fact]
    public void Beem_gets_the_papers_two_threshold_rules_side_by_side()
    {
        foreach (string name in new[] { "beem-c", "beem-a" })
        {
            BeemThresholdFit fit = name == "beem-c" ? Calibration.BeemCost : Calibration.BeemAccuracy;
            EvaluationRow eq3 = Result.Rows.Single(r => r.Policy == name && r.Selection == RowSelection.ErrorRateThresholds);
            Assert.Equal(Test.Evaluate(fit.ToPolicy(name)).Accuracy, eq3.Result.Accuracy);
            // Classical: by brute force over {0.3, …, 1.5}, the most accurate α on validation (ties → faster).
            EvaluationRow classical = Result.Rows.Single(r => r.Policy == name && r.Selection == RowSelection.ClassicalAlpha);
            var candidates = new[] { 0.3, 0.6, 0.9, 1.2, 1.5 }
                .Select(a => (a, e: Validation.Evaluate(new Core.Policies.BeemPolicy(name, fit.Weights, [a])))).ToList();
            double best = candidates.Max(c => c.e.Accuracy);
            Assert.Contains(classical.Parameter!.Value, candidates.Where(c => c.e.Accuracy == best).Select(c => c.a));
            Assert.Equal(best, classical.Validation.Accuracy);
        }
    }

    [Fact]
    public void Beem_c_lambda_sweep_holds_the_eq3_thresholds_and_scales_the_weights()
    {
        var sweep = Result.Rows.Where(r => r.Selection == RowSelection.LambdaSweep).ToList();
        Assert.All(sweep, r => Assert.Equal("beem-c", r.Policy));
        // Calibrated λ = 1/M = 1/4; the sweep is 0.5, 0.75, 1, 1.25, 1.5, 2, 3 × that.
        Assert.Equal([0.125, 0.1875, 0.25, 0.3125, 0.375, 0.5, 0.75], sweep.Select(r => r.Target!.Value));
        var at = sweep.Single(r => r.Target == 0.5);
        var policy = new Core.Policies.BeemPolicy("beem-c", BeemWeights.Cost(4, 0.5), Calibration.BeemCost.Thresholds);
        Assert.Equal(Test.Evaluate(policy).SpeedupRatio, at.Result.SpeedupRatio);
        // λ = the calibrated one is the eq. 3 row itself.
        Assert.Equal(Result.Rows.Single(r => r.Policy == "beem-c" && r.Selection == RowSelection.ErrorRateThresholds).Result.ExitCounts.ToArray(),
            sweep.Single(r => r.Target == 0.25).Result.ExitCounts.ToArray());
        // Larger λ, larger scores: no sample leaves later.
        for (int i = 1; i < sweep.Count; i++)
            Assert.True(sweep[i].Result.SpeedupRatio >= sweep[i - 1].Result.SpeedupRatio);
    }

    [Fact]
    public void Accuracy_within_half_a_point_rows_are_the_fastest_that_keep_the_final_exits_validation_accuracy()
    {
        var rows = Result.Rows.Where(r => r.Selection == RowSelection.AccuracyWithin).ToList();
        Assert.Equal(8, rows.Count); // the tuned families
        double target = Validation.ExitAccuracies[^1] - 0.005;
        foreach (EvaluationRow row in rows)
        {
            Assert.Equal(target, row.Target);
            if (row.TargetMet) Assert.True(row.Validation.Accuracy >= target, $"{row.Policy}: {row.Validation.Accuracy} < {target}");
        }
    }

    [Fact]
    public void The_difficulty_inversion_score_is_reported_per_exit_and_signal_on_the_reported_split()
    {
        Assert.Equal(4, Result.DifficultyInversion.Length);
        var signals = Enum.GetValues<Core.Signals.ExitSignal>();
        for (int m = 0; m < 4; m++)
        {
            for (int s = 0; s < signals.Length; s++)
                Assert.Equal(Test.DifficultyInversion(m, signals[s]), Result.DifficultyInversion[m][s]);
        }
        var output = new StringWriter();
        EvaluationTable.Write(output, Result);
        Assert.Contains("difficulty inversion score on test", output.ToString());
        Assert.Contains("normalized-entropy", output.ToString());
    }

    [Fact]
    public void A_risk_controlled_default_policy_leaves_the_pcee_rows_at_the_default_delta()
    {
        // calibrate --risk that fell back: the default policy is static k = M (parameter 4, no δ).
        var choice = new Core.RiskControl.RiskControlledChoice(new Core.RiskControl.RiskLimit(Core.RiskControl.RiskMeasure.Disagreement, 0.01, 0.1),
            "max-prob", [new Core.RiskControl.RiskControlStep(0.99, 0.05, 0.9, 1.2)], 0, 400, 4);
        ExitCalibration controlled = Calibration.WithRiskControl(choice);
        Assert.Equal("static", controlled.DefaultPolicy.Name);

        EvaluationResult result = PolicyBenchmark.Run(controlled, Validation, Test, "test");

        double[] deltas = [.. result.Rows.Where(r => r.Policy == "pcee").Select(r => r.Target!.Value)];
        Assert.Equal([.. PolicyBenchmark.DeltaGrid.Append(Calibration.DefaultDelta).Distinct().Order()], deltas);
    }
}
