using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Tests.TestDoubles;

namespace EarlyExit.Core.Tests.Evaluation;

public class PolicySolverTests
{
    // On the hand trace (HandTraces.FourSamples), the max-prob test double gives:
    //   τ = 0.5  → all leave at exit 0:  accuracy 1/4, speed-up 3
    //   τ = 0.8  → exits (1, 0, 2, 2):   accuracy 1/2, speed-up 12/9
    //   τ = 0.95 → all run to exit 2:    accuracy 3/4, speed-up 1
    //   τ = 0.99 → the same as 0.95 (a tie, to check the earlier grid value wins)
    private static readonly TraceEvaluator Calibration = new(HandTraces.FourSamples());
    private static readonly PolicyFamily Family = new("max-prob", t => new MaxProbAtLeastPolicy(t), [0.5, 0.8, 0.95, 0.99]);

    [Theory]
    [InlineData(1.2, 0.8)]   // τ .5 (3) and .8 (1.33) reach 1.2; .8 is more accurate
    [InlineData(2.0, 0.5)]   // only τ .5 reaches 2
    [InlineData(1.0, 0.95)]  // all reach 1; .95 and .99 tie on accuracy .75 and speed-up 1 → the earlier, .95
    public void ForSpeedup_PicksTheMostAccurateParameterReachingTheTarget(double target, double expected)
    {
        var solution = PolicySolver.ForSpeedup(Calibration, Family, target);
        Assert.True(solution.TargetMet);
        Assert.Equal(expected, solution.Parameter);
        Assert.Equal(new MaxProbAtLeastPolicy(expected), solution.Policy);
        Assert.Equal(expected, solution.Evaluation.Parameter);
        Assert.True(solution.Evaluation.SpeedupRatio >= target);
        Assert.Equal(SolverTarget.Speedup, solution.Target);
        Assert.Equal("max-prob", solution.FamilyName);
    }

    [Theory]
    // Agreement with the final exit's answers (0, 1, 0, 0): τ .5 answers (0, 0, 1, 0) → 1/2; τ .8 (0, 0, 0, 0) → 3/4; τ .95 and .99 → 1.
    [InlineData(0.5, 0.5)]   // every τ reaches 1/2; τ .5 is the fastest (3)
    [InlineData(0.7, 0.8)]   // τ .8 (3/4, speed-up 1.33) beats τ .95 (1, speed-up 1)
    [InlineData(1.0, 0.95)]  // only the full model agrees fully; the earlier of the tie
    public void ForAgreement_PicksTheFastestParameterReachingTheTarget(double target, double expected)
    {
        var solution = PolicySolver.Solve(Calibration, Family, SolverTarget.Agreement, target);
        Assert.True(solution.TargetMet);
        Assert.Equal(expected, solution.Parameter);
        Assert.True(solution.Evaluation.Agreement >= target);
    }

    [Fact]
    public void ForSpeedup_OutOfReach_ReturnsTheFastestAndSaysSo()
    {
        var solution = PolicySolver.ForSpeedup(Calibration, Family, 5.0);
        Assert.False(solution.TargetMet);
        Assert.Equal(0.5, solution.Parameter);
        Assert.Equal(3.0, solution.Evaluation.SpeedupRatio, 12);
    }

    [Theory]
    [InlineData(0.5, 0.8)]   // τ .8 (.5) and .95/.99 (.75) reach .5; .8 is faster
    [InlineData(0.7, 0.95)]  // .95 and .99 reach .7 with the same speed-up → the earlier
    [InlineData(0.0, 0.5)]   // every value reaches 0; τ .5 is the fastest
    public void ForAccuracy_PicksTheFastestParameterReachingTheTarget(double target, double expected)
    {
        var solution = PolicySolver.ForAccuracy(Calibration, Family, target);
        Assert.True(solution.TargetMet);
        Assert.Equal(expected, solution.Parameter);
        Assert.True(solution.Evaluation.Accuracy >= target);
    }

    [Fact]
    public void ForAccuracy_OutOfReach_ReturnsTheMostAccurateAndSaysSo()
    {
        var solution = PolicySolver.ForAccuracy(Calibration, Family, 0.9);
        Assert.False(solution.TargetMet);
        Assert.Equal(0.95, solution.Parameter);
        Assert.Equal(0.75, solution.Evaluation.Accuracy, 12);
        Assert.Equal(4, solution.Curve.Points.Length);
    }

    [Theory]
    [InlineData(SolverTarget.Speedup, 0.5, "a target speed-up must be finite and at least 1 (no early exit); got 0.5")]
    [InlineData(SolverTarget.Speedup, double.NaN, "got NaN")]
    [InlineData(SolverTarget.Accuracy, 1.2, "a target accuracy must be between 0 and 1; got 1.2")]
    public void Solve_RejectsATargetOutOfRange(SolverTarget target, double value, string message)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => PolicySolver.Solve(Calibration, Family, target, value));
        Assert.Equal("targetValue", e.ParamName);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Family_RejectsAnEmptyGrid()
    {
        var e = Assert.Throws<ArgumentException>(() => new PolicyFamily("max-prob", t => new MaxProbAtLeastPolicy(t), []));
        Assert.Equal("grid", e.ParamName);
        Assert.Contains("policy family 'max-prob' must hold at least one parameter value; got 0", e.Message);
    }
}
