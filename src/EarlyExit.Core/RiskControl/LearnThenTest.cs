using System.Collections.Immutable;
using EarlyExit.Core.Evaluation;

namespace EarlyExit.Core.RiskControl;

/// <summary>
/// Learn-then-Test with fixed-sequence testing (Angelopoulos, Bates et al. 2021; for early exit,
/// Jazbec et al. 2024; docs/algorithms.md §5): over a grid ordered from the most compute to the
/// least, accept λ_j while p(λ_j) ≤ δ, and deploy the last accepted. Then
/// P(R(λ̂) ≤ ε) ≥ 1 − δ over the draw of the calibration set, for data exchangeable with it.
/// </summary>
/// <remarks>
/// Fixed sequence spends the whole δ on each test (no Bonferroni split) because a test is only
/// reached when every earlier one rejected: the family-wise error stays ≤ δ. The order must be
/// fixed before the data are seen, which is why the grid comes from <see cref="RiskFamilies"/>,
/// not from the calibration trace.
/// </remarks>
public static class LearnThenTest
{
    /// <summary>The number of leading p-values ≤ δ: fixed-sequence testing stops at the first above δ.</summary>
    /// <param name="pValues">p(λ_1), p(λ_2), … in test order.</param>
    /// <param name="delta">δ in (0, 1).</param>
    public static int FixedSequence(ReadOnlySpan<double> pValues, double delta)
    {
        int accepted = 0;
        while (accepted < pValues.Length && pValues[accepted] <= delta) accepted++;
        return accepted;
    }

    /// <summary>
    /// Runs the test for <paramref name="limit"/> on the calibration trace over
    /// <paramref name="family"/>'s grid, taken as ordered from the most compute to the least.
    /// </summary>
    /// <param name="calibration">The calibration trace (validation), never the test split.</param>
    /// <param name="family">A one-parameter family whose grid is in test order (<see cref="RiskFamilies.Create"/>).</param>
    /// <param name="limit">ε, δ and the risk measure.</param>
    /// <returns>The choice with the steps tested.</returns>
    public static RiskControlledChoice Calibrate(TraceEvaluator calibration, PolicyFamily family, RiskLimit limit)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(limit);
        int n = calibration.SampleCount;
        TradeoffCurve curve = calibration.Sweep(family.Create, family.Grid);
        var steps = ImmutableArray.CreateBuilder<RiskControlStep>();
        double fullAccuracy = calibration.ExitAccuracies[^1];
        int accepted = 0;
        for (int j = 0; j < curve.Points.Length; j++)
        {
            PolicyEvaluation point = curve.Points[j];
            (double risk, double p) = Test(point, n, fullAccuracy, limit);
            steps.Add(new RiskControlStep(curve.Grid[j], risk, p, point.SpeedupRatio));
            if (p > limit.Delta) break;
            accepted++;
        }
        return new RiskControlledChoice(limit, family.Name, steps.ToImmutable(), accepted, n, calibration.ExitCount);
    }

    /// <summary>R̂(λ) and p(λ) of one policy's calibration evaluation (§5.1).</summary>
    internal static (double Risk, double PValue) Test(PolicyEvaluation point, int n, double fullAccuracy, RiskLimit limit)
    {
        switch (limit.Measure)
        {
            case RiskMeasure.Disagreement or RiskMeasure.Error:
            {
                double hits = limit.Measure == RiskMeasure.Error ? point.Accuracy : point.Agreement;
                // Both are counts over n, so n·(1 − hits) is a whole number up to rounding.
                int losses = n - (int)Math.Round(n * hits);
                return ((double)losses / n, RiskPValues.Binomial(n, losses, limit.Epsilon));
            }
            default:
            {
                // Wrong early answers minus wrong full-model answers, over n: acc_M − acc(λ).
                double gap = Math.Round(n * (fullAccuracy - point.Accuracy)) / n;
                return (gap, RiskPValues.AccuracyGap(n, gap, limit.Epsilon));
            }
        }
    }
}
