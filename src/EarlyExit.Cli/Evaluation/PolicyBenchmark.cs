using System.Collections.Immutable;
using EarlyExit.Core.Calibration;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;

namespace EarlyExit.Cli.Evaluation;

/// <summary>
/// Evaluates every policy of <see cref="PolicyCatalog"/> the way a user would deploy it: each
/// parameter is chosen on the validation trace, then measured on the reported trace.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Every family with a swept parameter (thresholds on each signal, patience, BEEM-C and BEEM-A
/// with one shared α): the parameter reaching speed-ups of 1.5×, 2× and 3× on validation
/// (<see cref="PolicySolver.ForSpeedup"/>).</item>
/// <item>Each of those also for the fastest parameter whose validation accuracy is within
/// <see cref="AccuracyMargin"/> of the final exit's, and for agreement ≥ <see cref="AgreementTarget"/>.</item>
/// <item>BEEM-C and BEEM-A also with their eq. 3 per-exit thresholds from calibration, and with the
/// paper's "classical" single α (the most accurate on validation of {0.3, 0.6, …, 1.5}), so the two
/// threshold rules of BEEM §3.4 sit side by side; BEEM-C also with its cost λ swept at
/// <see cref="LambdaFactors"/> × the calibrated λ, the eq. 3 thresholds held fixed (appendix A.3).</item>
/// <item>PCEE and PCEE-WS: δ over <see cref="DeltaGrid"/> plus the calibrated default δ; δ is a
/// target accuracy, so nothing is tuned.</item>
/// <item>Static-k: k = 1..M. The two oracles: one point each.</item>
/// </list>
/// <para>The trade-off curves sweep each family's full catalog grid, built from validation, on the
/// reported trace.</para>
/// </remarks>
public static class PolicyBenchmark
{
    /// <summary>Speed-ups the tuned families are solved for on validation: 1.5×, 2×, 3×.</summary>
    public static ImmutableArray<double> SpeedupTargets { get; } = [1.5, 2.0, 3.0];

    /// <summary>The agreement with the final exit each tuned family is also solved for on validation: 0.99 (at most 1 % of answers changed).</summary>
    public const double AgreementTarget = 0.99;

    /// <summary>How far below the final exit's validation accuracy an "accuracy within" row may be: 0.005 (half a point).</summary>
    public const double AccuracyMargin = 0.005;

    /// <summary>BEEM-C's λ sweep (appendix A.3): these multiples of the calibrated λ.</summary>
    public static ImmutableArray<double> LambdaFactors { get; } = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];

    /// <summary>PCEE's δ values in the table (the curves use the catalog's 0.5 … 1 grid).</summary>
    public static ImmutableArray<double> DeltaGrid { get; } = [0.80, 0.85, 0.90, 0.95, 0.97, 0.98, 0.99];

    /// <summary>Evaluates every catalog policy.</summary>
    /// <param name="calibration">The model's calibration (fitted on <paramref name="validation"/>).</param>
    /// <param name="validation">The validation trace: parameters are chosen here.</param>
    /// <param name="reported">The trace reported on (test), or the validation trace itself.</param>
    /// <param name="split">The reported split's name, for the output.</param>
    public static EvaluationResult Run(ExitCalibration calibration, TraceEvaluator validation, TraceEvaluator reported, string split)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(reported);
        int exits = validation.ExitCount;
        var rows = ImmutableArray.CreateBuilder<EvaluationRow>();
        var curves = ImmutableArray.CreateBuilder<TradeoffCurve>();
        foreach (string name in PolicyCatalog.Names)
        {
            PolicyFamily family = PolicyCatalog.Family(name, calibration, validation);
            if (family.Grid.Length > 1) curves.Add(reported.Sweep(family.Create, family.Grid));
            if (family.Grid.Length == 1)
            {
                rows.Add(Row(name, RowSelection.Bound, null, true, family.Create(family.Grid[0]), validation, reported));
            }
            else if (PceePolicy.IsPceeName(name))
            {
                // The default δ, not the default policy's parameter: after calibrate --risk the default is max-prob or static.
                double[] deltas = [.. DeltaGrid.Append(calibration.DefaultDelta).Distinct().Order()];
                foreach (double delta in deltas)
                    rows.Add(Row(name, calibration.Target == PceeTarget.Agreement ? RowSelection.AgreementDelta : RowSelection.Delta, delta, true, PolicyCatalog.Create(new PolicySpec(name, delta), calibration, exits), validation, reported));
            }
            else if (name == "static")
            {
                foreach (double k in family.Grid)
                    rows.Add(Row(name, RowSelection.Layers, null, true, family.Create(k), validation, reported));
            }
            else
            {
                if (name is BeemPolicy.CostName or BeemPolicy.AccuracyName)
                    rows.AddRange(BeemRows(name, calibration, validation, reported));
                foreach (double target in SpeedupTargets)
                {
                    PolicySolution solution = PolicySolver.ForSpeedup(validation, family, target);
                    rows.Add(Row(name, RowSelection.Speedup, target, solution.TargetMet, solution.Policy, validation, reported, solution.Evaluation));
                }
                // The retrofit's question (docs/algorithms.md §4.8): the fastest setting that changes at most 1 % of the full model's answers.
                PolicySolution faithful = PolicySolver.Solve(validation, family, SolverTarget.Agreement, AgreementTarget);
                rows.Add(Row(name, RowSelection.Agreement, AgreementTarget, faithful.TargetMet, faithful.Policy, validation, reported, faithful.Evaluation));
                double accurate = validation.ExitAccuracies[^1] - AccuracyMargin;
                PolicySolution close = PolicySolver.ForAccuracy(validation, family, accurate);
                rows.Add(Row(name, RowSelection.AccuracyWithin, accurate, close.TargetMet, close.Policy, validation, reported, close.Evaluation));
            }
        }
        return new EvaluationResult(split, reported.SampleCount, reported.ExitAccuracies, rows.ToImmutable(), curves.ToImmutable())
        {
            PerExitAgreement = reported.ExitAgreements,
            DifficultyInversion = [.. Enumerable.Range(0, exits).Select(m => Enum.GetValues<ExitSignal>().Select(s => reported.DifficultyInversion(m, s)).ToImmutableArray())],
            PceeTarget = calibration.Target,
        };
    }

    /// <summary>BEEM's threshold rules (BEEM paper §3.4) for one weighting, and BEEM-C's λ sweep (appendix A.3).</summary>
    private static IEnumerable<EvaluationRow> BeemRows(string name, ExitCalibration calibration, TraceEvaluator validation, TraceEvaluator reported)
    {
        int exits = validation.ExitCount;
        BeemThresholdFit fit = name == BeemPolicy.CostName ? calibration.BeemCost : calibration.BeemAccuracy;
        yield return Row(name, RowSelection.ErrorRateThresholds, null, true, fit.ToPolicy(name), validation, reported);
        BeemClassicalFit classical = BeemThresholds.Classical(validation.Signals, validation.Trace.Labels, exits, fit.Weights, BeemThresholds.ClassicalPaperSearchSet);
        yield return Row(name, RowSelection.ClassicalAlpha, null, true, classical.ToPolicy(name), validation, reported);
        if (name != BeemPolicy.CostName) yield break;
        foreach (double factor in LambdaFactors)
        {
            double lambda = factor * calibration.BeemLambda;
            var policy = new BeemPolicy(name, BeemWeights.Cost(exits, lambda), fit.Thresholds);
            yield return Row(name, RowSelection.LambdaSweep, lambda, true, policy, validation, reported);
        }
    }

    private static EvaluationRow Row(string name, RowSelection selection, double? target, bool met, ExitPolicy policy,
        TraceEvaluator validation, TraceEvaluator reported, PolicyEvaluation? onValidation = null) =>
        new(name, selection, target, met, onValidation ?? validation.Evaluate(policy), reported.Evaluate(policy));
}
