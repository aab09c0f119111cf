using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Tests.TestDoubles;

namespace EarlyExit.Core.Tests.Evaluation;

public class ControlErrorTests
{
    [Fact]
    public void Shortfall_IsZeroWhenTheTargetIsMet()
    {
        Assert.Equal(0.0, new ControlError(0.8, 0.85).Shortfall);
        Assert.Equal(0.05, new ControlError(0.9, 0.85).Shortfall, 12);
    }

    [Fact]
    public void ForCurve_ReadsTargetsFromTheGridAndAccuracyFromThePoints()
    {
        // Synthetic: a max-prob test double swept over τ = δ on the hand trace; its accuracies are
        // 0.25 (τ = .5: all leave at exit 0), 0.5 (τ = .8), 0.75 (τ = .95: all run to the end).
        var evaluator = new TraceEvaluator(HandTraces.FourSamples());
        var curve = evaluator.Sweep(t => new MaxProbAtLeastPolicy(t), [0.5, 0.8, 0.95]);
        var errors = ControlError.ForCurve(curve);
        // shortfalls: max(0, .5 − .25) = .25, max(0, .8 − .5) = .3, max(0, .95 − .75) = .2.
        Assert.Equal([0.5, 0.8, 0.95], errors.Select(e => e.Target));
        Assert.Equal([0.25, 0.5, 0.75], errors.Select(e => e.Realised));
        Assert.Equal(0.25, errors[0].Shortfall, 12);
        Assert.Equal(0.3, errors[1].Shortfall, 12);
        Assert.Equal(0.2, errors[2].Shortfall, 12);
    }

    [Fact]
    public void ForCurve_RejectsATargetOutsideTheUnitInterval()
    {
        var evaluator = new TraceEvaluator(HandTraces.FourSamples());
        var curve = evaluator.Sweep(t => new MaxProbAtLeastPolicy(t), [0.5, 1.5]);
        var e = Assert.Throws<ArgumentException>(() => ControlError.ForCurve(curve));
        Assert.Contains("grid value 1 is 1.5; a target accuracy δ must be in [0, 1]", e.Message);
    }
}
