using EarlyExit.Cli.Evaluation;
using EarlyExit.Cli.Tests.TestDoubles;
using EarlyExit.Core.Calibration;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Traces;

namespace EarlyExit.Cli.Tests.Evaluation;

/// <summary>
/// The comparison on synthetic traces (<see cref="RandomTraces"/>): a 4-exit "large" model whose
/// cumulative FLOPs are 11, 21, 31, 41 (full model 40) against a 2-exit "small" one of 20 FLOPs.
/// </summary>
public sealed class PceeComparisonTests
{
    private static readonly TraceEvaluator Validation = new(RandomTraces.Create(400, seed: 1));
    private static readonly TraceEvaluator Test = new(RandomTraces.Create(600, seed: 2));
    private static readonly ExitCalibration Calibration = ExitCalibration.Fit(Validation);
    private static readonly ModelEvaluation Large = new(Calibration, Validation, Test, PolicyBenchmark.Run(Calibration, Validation, Test, "test"));
    private static readonly ExitTrace SmallValidation = RandomTraces.Create(400, exits: 2, seed: 3);
    private static readonly ExitTrace SmallTest = RandomTraces.Create(600, exits: 2, seed: 4);
    private static readonly PceeComparison Comparison = PceeComparison.Of(Large, "small", SmallValidation, SmallTest);

    [Fact]
    public void The_small_point_is_its_full_depth_on_the_reported_split()
    {
        // RandomTraces: full-model FLOPs 10 · exits = 20 for 2 exits.
        Assert.Equal(20, Comparison.CompareFlops);
        Assert.Equal(new TraceEvaluator(SmallTest).ExitAccuracies[^1], Comparison.CompareAccuracy);
        Assert.Equal(40, Comparison.FullModelFlops);
        Assert.Equal(Test.ExitAccuracies[^1], Comparison.FullModelAccuracy);
    }

    [Fact]
    public void At_the_small_cost_each_policy_takes_the_most_accurate_parameter_within_its_flops_on_validation()
    {
        foreach (string name in PceeComparison.Policies)
        {
            PolicyFamily family = PolicyCatalog.Family(name, Calibration, Validation);
            ComparisonPoint point = Comparison.Points.Single(p => p.Policy == name && p.Goal == PceeComparison.AtSmallCost);
            // Brute force over the grid: within 20 FLOPs on validation, the best validation accuracy.
            var within = family.Grid.Select(v => (v, e: Validation.Evaluate(family.Create(v))))
                .Where(x => x.e.ExpectedCompute * 40 <= 20).ToList();
            Assert.Equal(within.Count > 0, point.Found);
            if (!point.Found) continue;
            double best = within.Max(x => x.e.Accuracy);
            PolicyEvaluation chosen = Validation.Evaluate(family.Create(point.Parameter!.Value));
            Assert.Equal(best, chosen.Accuracy, 12);
            PolicyEvaluation onTest = Test.Evaluate(family.Create(point.Parameter.Value));
            Assert.Equal(onTest.Accuracy, point.Accuracy, 12);
            Assert.Equal(onTest.ExpectedCompute * 40, point.Flops, 9);
        }
    }

    [Fact]
    public void At_the_small_cost_is_judged_against_the_small_models_validation_flops_not_its_test_flops()
    {
        // Synthetic: the small model's validation texts are longer than its test texts, so its
        // validation FLOPs per input are 30 (each sample 16 at exit 1, 31 at exit 2, 30 full) against 20 on test.
        int n = SmallValidation.SampleCount;
        ExitTrace longer = SmallValidation.WithSampleFlops([.. Enumerable.Range(0, n).SelectMany(_ => new double[] { 16, 31 })], [.. Enumerable.Repeat(30.0, n)]);
        PceeComparison comparison = PceeComparison.Of(Large, "small", longer, SmallTest);
        Assert.Equal(20, comparison.CompareFlops); // what is reported is still the test cost
        bool usedTheValidationBudget = false;
        foreach (string name in PceeComparison.Policies)
        {
            PolicyFamily family = PolicyCatalog.Family(name, Calibration, Validation);
            ComparisonPoint point = comparison.Points.Single(p => p.Policy == name && p.Goal == PceeComparison.AtSmallCost);
            var within = family.Grid.Select(v => (v, e: Validation.Evaluate(family.Create(v)))).Where(x => x.e.ExpectedCompute * 40 <= 30).ToList();
            Assert.Equal(within.Count > 0, point.Found);
            if (!point.Found) continue;
            PolicyEvaluation chosen = Validation.Evaluate(family.Create(point.Parameter!.Value));
            Assert.Equal(within.Max(x => x.e.Accuracy), chosen.Accuracy, 12);
            usedTheValidationBudget |= chosen.ExpectedCompute * 40 > 20;
        }
        Assert.True(usedTheValidationBudget, "some policy should spend more than the test budget of 20 on validation");
    }

    [Fact]
    public void Matching_takes_the_cheapest_parameter_reaching_the_small_validation_accuracy()
    {
        double target = new TraceEvaluator(SmallValidation).ExitAccuracies[^1];
        foreach (string name in PceeComparison.Policies)
        {
            PolicyFamily family = PolicyCatalog.Family(name, Calibration, Validation);
            ComparisonPoint point = Comparison.Points.Single(p => p.Policy == name && p.Goal == PceeComparison.MatchingAccuracy);
            var reaching = family.Grid.Select(v => Validation.Evaluate(family.Create(v))).Where(e => e.Accuracy >= target).ToList();
            Assert.Equal(reaching.Count > 0, point.Found);
            if (!point.Found) continue;
            PolicyEvaluation chosen = Validation.Evaluate(family.Create(point.Parameter!.Value));
            Assert.True(chosen.Accuracy >= target);
            Assert.Equal(reaching.Min(e => e.ExpectedCompute), chosen.ExpectedCompute, 12);
        }
    }

    [Fact]
    public void The_oracle_is_as_accurate_as_the_final_exit()
    {
        // "First exit agreeing with the final exit" predicts what the final exit predicts.
        ComparisonPoint oracle = Comparison.Points.Single(p => p.Policy == "oracle");
        Assert.Equal(Test.ExitAccuracies[^1], oracle.Accuracy, 12);
        Assert.InRange(oracle.Flops, 11, 41);
    }

    [Fact]
    public void The_delta_table_evaluates_pcee_and_max_prob_at_the_same_number()
    {
        Assert.Equal([0.80, 0.85, 0.90, 0.95, 0.98], Comparison.Deltas.Select(d => d.Delta));
        foreach (DeltaControl row in Comparison.Deltas)
        {
            Assert.Equal(Test.Evaluate(PolicyCatalog.Create(new PolicySpec("pcee", row.Delta), Calibration, 4)).Accuracy, row.Pcee.Accuracy, 12);
            Assert.Equal(Test.Evaluate(PolicyCatalog.Create(new PolicySpec("pcee-ws", row.Delta), Calibration, 4)).Accuracy, row.PceeWs.Accuracy, 12);
            Assert.Equal(Test.Evaluate(PolicyCatalog.Create(new PolicySpec("max-prob", row.Delta), Calibration, 4)).Accuracy, row.MaxProb.Accuracy, 12);
        }
    }
}
