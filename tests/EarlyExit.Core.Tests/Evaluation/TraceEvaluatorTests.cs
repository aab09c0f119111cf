using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Signals;
using EarlyExit.Core.Tests.TestDoubles;
using Xunit.Abstractions;

namespace EarlyExit.Core.Tests.Evaluation;

public class TraceEvaluatorTests
{
    private static readonly TraceEvaluator Hand = new(HandTraces.FourSamples());

    [Fact]
    public void Evaluate_MaxProbDouble_OnTheHandTrace()
    {
        // τ = 0.8 on the hand trace (HandTraces.FourSamples):
        //   s0 max-prob .75 → continue, .9 → exit at 1, predicts 0 (label 0) right
        //   s1 .9 → exit at 0, predicts 0 (label 1) wrong
        //   s2 .75, .75 → forced out at 2, predicts 0 (label 0) right
        //   s3 .75, .75 → forced out at 2, predicts 0 (label 1) wrong
        var e = Hand.Evaluate(new MaxProbAtLeastPolicy(0.8));

        Assert.Equal("test-max-prob", e.PolicyName);
        Assert.Equal(0.8, e.Parameter);
        Assert.True(e.IsDeployable);
        Assert.Equal([1, 0, 2, 2], e.ExitIndices.ToArray());
        Assert.Equal([0, 0, 0, 0], e.Predictions.ToArray());
        Assert.Equal([1, 1, 2], e.ExitCounts.ToArray());
        Assert.Equal(0.5, e.Accuracy, 12);                // 2 right of 4
        Assert.Equal(1.0 / 3.0, e.MacroF1, 12);           // class 0: 2·2/(4+2+0) = 2/3; class 1: 0 → 1/3
        Assert.Equal(12.0 / 9.0, e.SpeedupRatio, 12);     // 3·4 / (1·1 + 2·1 + 3·2) = 12/9
        Assert.Equal(0.75, e.ExpectedCompute, 12);        // (1/3 + 2/3 + 1 + 1) / 4
        Assert.Equal(0.25, e.PrematureExitRate, 12);      // see ExitDecisionRatesTests: 1 of 4 wrong points
        Assert.Equal(2.0 / 3.0, e.DelayedExitRate, 12);   // 2 of 3 right points
        Assert.Equal(9.0 / 4.0, e.MeanLayersExecuted, 12); // (2 + 1 + 3 + 3) / 4
        Assert.Equal(4, e.SampleCount);
        Assert.Equal(3, e.ExitCount);
    }

    [Fact]
    public void Evaluate_UsesTheTracesFlops()
    {
        // cumulative FLOPs (2, 4, 7) over 6: (1/3 + 2/3 + 7/6 + 7/6) / 4 = 5/6.
        var evaluator = new TraceEvaluator(HandTraces.FourSamples([2, 4, 7], 6));
        Assert.Equal(5.0 / 6.0, evaluator.Evaluate(new MaxProbAtLeastPolicy(0.8)).ExpectedCompute, 12);
    }

    [Fact]
    public void Evaluate_GivesOraclesHindsight()
    {
        // First exit agreeing with the final prediction: s0 final 0 → exit 0; s1 final 1 → exit 1;
        // s2 final 0 → exit 1; s3 final 0 → exit 0. Predictions = finals (0, 1, 0, 0): 3 of 4 right.
        var e = Hand.Evaluate(new AgreeWithFinalOracle());
        Assert.False(e.IsDeployable);
        Assert.Equal([0, 1, 1, 0], e.ExitIndices.ToArray());
        Assert.Equal(0.75, e.Accuracy, 12);
        Assert.Equal(12.0 / 6.0, e.SpeedupRatio, 12); // 3·4 / (1 + 2 + 2 + 1)
    }

    [Fact]
    public void Evaluate_WithholdsHindsightFromDeployablePolicies()
    {
        // The probe would exit at once if it saw hindsight; honestly it runs to the end.
        Assert.Equal([2, 2, 2, 2], Hand.Evaluate(new HindsightProbePolicy()).ExitIndices.ToArray());
    }

    [Fact]
    public void ExitAccuracies_AreTheAccuracyOfEachExitOnAllSamples()
    {
        // exit 0: s0 only right → 1/4; exit 1: s0, s1, s2 → 3/4; exit 2: same → 3/4.
        Assert.Equal([0.25, 0.75, 0.75], Hand.ExitAccuracies.ToArray());
    }

    [Fact]
    public void DifficultyInversion_AtTheFirstExit()
    {
        // Exit 0 max-prob (.75, .9, .75, .75), right (T, F, F, F): pairs (s0,s1) 0, (s0,s2) ½, (s0,s3) ½ → 1/3.
        Assert.Equal(1.0 / 3.0, Hand.DifficultyInversion(0, ExitSignal.MaxProb), 6);
        // Entropy is a decreasing function of max-prob for two classes: the same ordering.
        Assert.Equal(1.0 / 3.0, Hand.DifficultyInversion(0, ExitSignal.Entropy), 6);
    }

    [Fact]
    public void DifficultyInversion_RejectsAnExitOutOfRange()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Hand.DifficultyInversion(3, ExitSignal.MaxProb));
        Assert.Equal("exit", e.ParamName);
    }

    [Fact]
    public void Evaluate_ValidatesThePolicyAgainstTheTrace()
    {
        // The double's Validate: exit 3 does not exist when M = 3.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Hand.Evaluate(new FixedExitPolicy(3)));
        Assert.Equal("Exit", e.ParamName);
    }

    [Fact]
    public void Sweep_EqualsIndividualEvaluations_InGridOrder()
    {
        var evaluator = new TraceEvaluator(HandTraces.Random(3000, 6, 5, seed: 7, withFlops: true));
        double[] grid = [0.9, 0.3, 0.5, 0.7, 0.95, 0.99];
        var curve = evaluator.Sweep(t => new MaxProbAtLeastPolicy(t), grid, keepPerSample: true);

        Assert.Equal("test-max-prob", curve.PolicyName);
        Assert.Equal(grid, curve.Grid.ToArray());
        Assert.Equal(grid.Length, curve.Points.Length);
        for (int i = 0; i < grid.Length; i++)
        {
            var single = evaluator.Evaluate(new MaxProbAtLeastPolicy(grid[i]));
            var point = curve.Points[i];
            Assert.Equal(grid[i], point.Parameter);
            Assert.Equal(single.ExitIndices.ToArray(), point.ExitIndices.ToArray());
            Assert.Equal(single.Predictions.ToArray(), point.Predictions.ToArray());
            AssertSameSummary(single, point);
        }
        // The thresholds differ enough that the curve is not flat (so the comparison can fail).
        Assert.True(curve.Points[1].SpeedupRatio > curve.Points[4].SpeedupRatio);
    }

    [Fact]
    public void Sweep_ByDefault_DropsOnlyThePerSampleDetail()
    {
        var evaluator = new TraceEvaluator(HandTraces.Random(500, 4, 3, seed: 9));
        double[] grid = [0.4, 0.6, 0.8];
        var lean = evaluator.Sweep(t => new MaxProbAtLeastPolicy(t), grid);
        var full = evaluator.Sweep(t => new MaxProbAtLeastPolicy(t), grid, keepPerSample: true);
        for (int i = 0; i < grid.Length; i++)
        {
            Assert.False(lean.Points[i].HasPerSampleDetail);
            Assert.True(full.Points[i].HasPerSampleDetail);
            Assert.Empty(lean.Points[i].ExitIndices);
            Assert.Equal(500, lean.Points[i].SampleCount);
            AssertSameSummary(full.Points[i], lean.Points[i]);
        }
    }

    [Fact]
    public void Evaluate_MatchesExitReplayOnEverySample()
    {
        var trace = HandTraces.Random(9000, 4, 3, seed: 11); // large enough to split across cores
        var evaluator = new TraceEvaluator(trace);
        var policy = new MaxProbAtLeastPolicy(0.6);
        var e = evaluator.Evaluate(policy);
        for (int n = 0; n < trace.SampleCount; n++)
        {
            int expected = Core.Policies.ExitReplay.ExitIndex(policy, evaluator.Signals.Slice(n * 4, 4));
            Assert.Equal(expected, e.ExitIndices[n]);
            Assert.Equal(evaluator.Signals[(n * 4) + expected].Prediction, e.Predictions[n]);
        }
    }

    [Fact]
    public void Sweep_RejectsAnEmptyGrid()
    {
        var e = Assert.Throws<ArgumentException>(() => Hand.Sweep(t => new MaxProbAtLeastPolicy(t), []));
        Assert.Equal("grid", e.ParamName);
        Assert.Contains("at least one parameter value; got 0", e.Message);
    }

    [Fact]
    public void Sweep_RejectsAFactoryReturningNull()
    {
        var e = Assert.Throws<ArgumentNullException>(() => Hand.Sweep(_ => null!, [0.5, 0.7]));
        Assert.Contains("grid value 0 (0.5)", e.Message);
    }

    [Fact]
    public void Sweep_ValidatesEveryPolicyBeforeRunning()
    {
        // Grid value 3 makes a fixed exit beyond M = 3: the factory's policy fails Validate, unwrapped.
        Assert.Throws<ArgumentOutOfRangeException>(() => Hand.Sweep(k => new FixedExitPolicy((int)k), [0, 1, 3]));
    }

    /// <summary>Every measure equal, exactly (the same counts give the same doubles).</summary>
    private static void AssertSameSummary(PolicyEvaluation expected, PolicyEvaluation actual)
    {
        Assert.Equal(expected.PolicyName, actual.PolicyName);
        Assert.Equal(expected.Parameter, actual.Parameter);
        Assert.Equal(expected.IsDeployable, actual.IsDeployable);
        Assert.Equal(expected.ExitCounts.ToArray(), actual.ExitCounts.ToArray());
        Assert.Equal(expected.Accuracy, actual.Accuracy);
        Assert.Equal(expected.MacroF1, actual.MacroF1);
        Assert.Equal(expected.SpeedupRatio, actual.SpeedupRatio);
        Assert.Equal(expected.ExpectedCompute, actual.ExpectedCompute);
        Assert.Equal(expected.DecisionRates, actual.DecisionRates);
    }
}
