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
        TradeoffCurve curve = calibration.Sweep(family.Create, family.Grid);
        return Calibrate(curve, family.Name, calibration.SampleCount, calibration.ExitAccuracies[^1], limit);
    }

    /// <summary>
    /// The test on a family's curve already swept over the calibration trace: one sweep then serves
    /// every limit (the resampling check tests three ε on each draw).
    /// </summary>
    /// <param name="curve">The family swept in test order on the calibration trace.</param>
    /// <param name="family">The family's catalog name.</param>
    /// <param name="n">The calibration samples.</param>
    /// <param name="fullAccuracy">The final exit's accuracy on them (for the accuracy gap).</param>
    /// <param name="limit">ε, δ and the risk measure.</param>
    public static RiskControlledChoice Calibrate(TradeoffCurve curve, string family, int n, double fullAccuracy, RiskLimit limit)
    {
        ArgumentNullException.ThrowIfNull(curve);
        ArgumentNullException.ThrowIfNull(limit);
        var steps = ImmutableArray.CreateBuilder<RiskControlStep>();
        int accepted = 0;
        for (int j = 0; j < curve.Points.Length; j++)
        {
            PolicyEvaluation point = curve.Points[j];
            (double risk, double p) = Test(point, n, fullAccuracy, limit);
            steps.Add(new RiskControlStep(curve.Grid[j], risk, p, point.SpeedupRatio));
            if (p > limit.Delta) break;
            accepted++;
        }
        return new RiskControlledChoice(limit, family, steps.ToImmutable(), accepted, n, curve.Points[0].ExitCount);
    }

    /// <summary>R̂(λ) and p(λ) of one policy's calibration evaluation (§5.1).</summary>
    internal static (double Risk, double PValue) Test(PolicyEvaluation point, int n, double fullAccuracy, RiskLimit limit)
    {
        double risk = RiskOf(point, fullAccuracy, limit.Measure);
        if (limit.Measure != RiskMeasure.AccuracyGap)
            return (risk, RiskPValues.Binomial(n, (int)Math.Round(n * risk), limit.Epsilon));
        if (point.LostCount < 0)
            throw new ArgumentException("the accuracy gap's test needs the evaluation's lost answers (LostCount)", nameof(point));
        return (risk, RiskPValues.AccuracyGapWithLosses(n, risk, point.LostCount, limit.Epsilon));
    }

    /// <summary>
    /// The risk a policy's evaluation realised: 1 − agreement, 1 − accuracy, or the accuracy gap
    /// acc_M − acc (all counts over n, so exact up to the rounding of a double).
    /// </summary>
    /// <param name="point">The policy measured on some trace.</param>
    /// <param name="fullAccuracy">The final exit's accuracy on that trace.</param>
    /// <param name="measure">The risk.</param>
    public static double RiskOf(PolicyEvaluation point, double fullAccuracy, RiskMeasure measure)
    {
        ArgumentNullException.ThrowIfNull(point);
        int n = point.SampleCount;
        return measure switch
        {
            RiskMeasure.Disagreement => Math.Round(n * (1 - point.Agreement)) / n,
            RiskMeasure.Error => Math.Round(n * (1 - point.Accuracy)) / n,
            _ => Math.Round(n * (fullAccuracy - point.Accuracy)) / n,
        };
    }
}
