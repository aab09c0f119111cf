using EarlyExit.Core.Policies;

namespace EarlyExit.Core.Evaluation;

/// <summary>
/// Tunes a one-parameter policy family on a calibration trace: the parameter that reaches a
/// target speed-up with the best accuracy, or a target accuracy with the best speed-up.
/// </summary>
/// <remarks>
/// <para>The family is swept over its whole grid (<see cref="TraceEvaluator.Sweep"/>), so the
/// choice does not assume the measures are monotone in the parameter. Ties are broken by the
/// other measure, then by the earlier grid value, so the choice is deterministic.</para>
/// <para>Targets are compared exactly (speed-up ≥ target, accuracy ≥ target): both measures are
/// ratios of sample counts, so a reachable target such as 2.0 or 0.75 is hit exactly.</para>
/// <para>The choice is only as good as the calibration trace is like the test data; measure the
/// chosen policy on a separate test trace.</para>
/// </remarks>
public static class PolicySolver
{
    /// <summary>Finds the parameter reaching <paramref name="target"/> on <paramref name="calibration"/>.</summary>
    /// <param name="calibration">The calibration trace's evaluator.</param>
    /// <param name="family">The policies to search.</param>
    /// <param name="target">Which measure must reach <paramref name="targetValue"/>.</param>
    /// <param name="targetValue">Speed-up ≥ 1, or accuracy in [0, 1].</param>
    /// <returns>The choice, saying whether the target was met.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The target value is out of range for its measure, or the target unknown.</exception>
    public static PolicySolution Solve(TraceEvaluator calibration, PolicyFamily family, SolverTarget target, double targetValue)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        ArgumentNullException.ThrowIfNull(family);
        switch (target)
        {
            case SolverTarget.Speedup:
                if (!(targetValue >= 1) || double.IsPositiveInfinity(targetValue))
                    throw new ArgumentOutOfRangeException(nameof(targetValue), targetValue,
                        $"a target speed-up must be finite and at least 1 (no early exit); got {targetValue}");
                break;
            case SolverTarget.Accuracy or SolverTarget.Agreement:
                if (!(targetValue >= 0 && targetValue <= 1))
                    throw new ArgumentOutOfRangeException(nameof(targetValue), targetValue,
                        $"a target {(target == SolverTarget.Accuracy ? "accuracy" : "agreement")} must be between 0 and 1; got {targetValue}");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(target), target, "unknown solver target");
        }

        TradeoffCurve curve = calibration.Sweep(family.Create, family.Grid);
        (int best, bool met) = Choose(curve, target, targetValue);
        double parameter = curve.Grid[best];
        ExitPolicy policy = family.Create(parameter);
        // Evaluated again alone for its per-sample detail, which the sweep does not keep.
        return new PolicySolution(family.Name, target, targetValue, met, parameter,
            policy, calibration.Evaluate(policy), curve);
    }

    /// <summary>Finds the parameter with speed-up ≥ <paramref name="targetSpeedup"/> and the best accuracy.</summary>
    /// <inheritdoc cref="Solve"/>
    /// <param name="calibration">The calibration trace's evaluator.</param>
    /// <param name="family">The policies to search.</param>
    /// <param name="targetSpeedup">The speed-up ratio to reach, ≥ 1.</param>
    public static PolicySolution ForSpeedup(TraceEvaluator calibration, PolicyFamily family, double targetSpeedup) =>
        Solve(calibration, family, SolverTarget.Speedup, targetSpeedup);

    /// <summary>Finds the parameter with accuracy ≥ <paramref name="targetAccuracy"/> and the best speed-up.</summary>
    /// <inheritdoc cref="Solve"/>
    /// <param name="calibration">The calibration trace's evaluator.</param>
    /// <param name="family">The policies to search.</param>
    /// <param name="targetAccuracy">The accuracy to reach, in [0, 1].</param>
    public static PolicySolution ForAccuracy(TraceEvaluator calibration, PolicyFamily family, double targetAccuracy) =>
        Solve(calibration, family, SolverTarget.Accuracy, targetAccuracy);

    /// <summary>The index of the chosen point and whether it meets the target.</summary>
    private static (int Index, bool Met) Choose(TradeoffCurve curve, SolverTarget target, double targetValue)
    {
        // Constrained measure c (must reach the target) and objective o (to maximise).
        static double Constrained(PolicyEvaluation p, SolverTarget t) => t switch
        {
            SolverTarget.Speedup => p.SpeedupRatio,
            SolverTarget.Agreement => p.Agreement,
            _ => p.Accuracy,
        };
        static double Objective(PolicyEvaluation p, SolverTarget t) => t == SolverTarget.Speedup ? p.Accuracy : p.SpeedupRatio;

        int best = -1;
        for (int i = 0; i < curve.Points.Length; i++)
        {
            PolicyEvaluation p = curve.Points[i];
            if (Constrained(p, target) < targetValue) continue;
            if (best < 0 || IsBetter(Objective(p, target), Constrained(p, target),
                    Objective(curve.Points[best], target), Constrained(curve.Points[best], target)))
                best = i;
        }
        if (best >= 0)
            return (best, true);

        // Target out of reach: the point that comes closest, i.e. the highest constrained measure.
        best = 0;
        for (int i = 1; i < curve.Points.Length; i++)
        {
            PolicyEvaluation p = curve.Points[i];
            if (IsBetter(Constrained(p, target), Objective(p, target),
                    Constrained(curve.Points[best], target), Objective(curve.Points[best], target)))
                best = i;
        }
        return (best, false);
    }

    // Lexicographic: first measure, then second; strictly better only, so the earlier grid value wins ties.
    private static bool IsBetter(double first, double second, double bestFirst, double bestSecond) =>
        first > bestFirst || (first == bestFirst && second > bestSecond);
}
