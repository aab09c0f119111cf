using System.Collections.Immutable;
using EarlyExit.Cli.Models;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Traces;
using EarlyExit.Data.Datasets;

namespace EarlyExit.Cli.Evaluation;

/// <summary>
/// PCEE's headline (the PCEE paper, fig. 1): a larger model with early exits against a smaller model run
/// to full depth, on the same data — the larger model's error at the smaller one's cost, and the
/// cost at which it matches the smaller one's accuracy — plus δ against realised accuracy.
/// </summary>
/// <remarks>
/// <para>Every parameter is chosen on validation and measured on the reported split, so no test
/// sample picks anything: for "at the small model's cost", the parameter with the best validation
/// accuracy among those whose validation FLOPs per input are at most the small model's validation
/// FLOPs per input; for
/// "matching the small model's accuracy", the parameter with the fewest validation FLOPs among
/// those whose validation accuracy reaches the small model's validation accuracy.</para>
/// <para>FLOPs are average FLOPs per input with every exit head on the way
/// (<see cref="ExitTrace.CumulativeFlops"/>): PolicyEvaluation.ExpectedCompute × the trace's
/// full-model FLOPs. The small model's cost is its full-depth FLOPs (final head only).</para>
/// </remarks>
/// <param name="CompareModel">The smaller model's folder.</param>
/// <param name="CompareFlops">Its full-depth FLOPs per input.</param>
/// <param name="CompareAccuracy">Its final exit's accuracy on the reported split.</param>
/// <param name="CompareValidationAccuracy">Its final exit's accuracy on validation (what "matching" is chosen against).</param>
/// <param name="FullModelFlops">The larger model's full-depth FLOPs per input.</param>
/// <param name="FullModelAccuracy">The larger model's final-exit accuracy on the reported split.</param>
/// <param name="Points">Max-prob, PCEE and PCEE-WS for both goals, and the oracle.</param>
/// <param name="Deltas">δ against realised accuracy for <see cref="DeltaTargets"/>.</param>
public sealed record PceeComparison(string CompareModel, double CompareFlops, double CompareAccuracy, double CompareValidationAccuracy,
    double FullModelFlops, double FullModelAccuracy, ImmutableArray<ComparisonPoint> Points, ImmutableArray<DeltaControl> Deltas)
{
    /// <summary>Goal: the best validation accuracy at no more than the small model's FLOPs.</summary>
    public const string AtSmallCost = "at small's FLOPs";

    /// <summary>Goal: the fewest validation FLOPs reaching the small model's validation accuracy.</summary>
    public const string MatchingAccuracy = "matching small's accuracy";

    /// <summary>Goal of the oracle: a hindsight bound, nothing chosen.</summary>
    public const string Bound = "bound (hindsight)";

    /// <summary>The targets of the δ table: 0.80, 0.85, 0.90, 0.95, 0.98.</summary>
    public static ImmutableArray<double> DeltaTargets { get; } = [0.80, 0.85, 0.90, 0.95, 0.98];

    /// <summary>The policies compared: the max-prob threshold, PCEE and PCEE-WS.</summary>
    public static ImmutableArray<string> Policies { get; } = ["max-prob", PceePolicy.PlainName, PceePolicy.SmoothedName];

    /// <summary>Compares an evaluated model with a smaller model's full-depth point.</summary>
    /// <param name="evaluation">The larger model's evaluation (calibration, validation and reported evaluators).</param>
    /// <param name="compare">The smaller model's folder (its traces are read from its cache or recorded).</param>
    /// <param name="spec">The data both were trained on.</param>
    /// <param name="log">stderr.</param>
    /// <param name="cancellationToken">Stops recording a trace.</param>
    /// <exception cref="CliException">The smaller model cannot be loaded, or its classes differ.</exception>
    public static PceeComparison Run(ModelEvaluation evaluation, ModelDirectory compare, DatasetSpec spec, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(compare);
        using var source = new TraceSource(compare, spec, log, cancellationToken);
        ExitTrace smallValidation = source.Get(DatasetSplit.Validation);
        ExitTrace smallReported = evaluation.Reported == evaluation.Validation ? smallValidation : source.Get(DatasetSplit.Test);
        return Of(evaluation, compare.Path, smallValidation, smallReported);
    }

    /// <summary>Compares an evaluated model with a smaller model's traces (no I/O).</summary>
    /// <param name="evaluation">The larger model's evaluation.</param>
    /// <param name="compareModel">The smaller model's name or folder, for the output.</param>
    /// <param name="smallValidation">The smaller model's validation trace.</param>
    /// <param name="smallReported">Its trace on the reported split.</param>
    public static PceeComparison Of(ModelEvaluation evaluation, string compareModel, ExitTrace smallValidation, ExitTrace smallReported)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(smallValidation);
        ArgumentNullException.ThrowIfNull(smallReported);
        TraceEvaluator validation = evaluation.Validation, reported = evaluation.Reported;
        ExitTrace small = smallReported;
        double smallAccuracy = new TraceEvaluator(smallReported).ExitAccuracies[^1];
        double smallValidationAccuracy = new TraceEvaluator(smallValidation).ExitAccuracies[^1];

        var points = ImmutableArray.CreateBuilder<ComparisonPoint>();
        foreach (string name in Policies)
        {
            PolicyFamily family = PolicyCatalog.Family(name, evaluation.Calibration, validation);
            TradeoffCurve onValidation = validation.Sweep(family.Create, family.Grid);
            TradeoffCurve onReported = reported.Sweep(family.Create, family.Grid);
            double[] validationFlops = [.. onValidation.Points.Select(p => Flops(p, validation))];
            // The small model's validation FLOPs: on text they differ from its test FLOPs (other lengths),
            // and no test sample may choose anything.
            int cheap = Best(family.Grid.Length, i => validationFlops[i] <= smallValidation.FullModelFlops,
                (a, b) => onValidation.Points[a].Accuracy != onValidation.Points[b].Accuracy
                    ? onValidation.Points[a].Accuracy > onValidation.Points[b].Accuracy
                    : validationFlops[a] < validationFlops[b]);
            int matching = Best(family.Grid.Length, i => onValidation.Points[i].Accuracy >= smallValidationAccuracy,
                (a, b) => validationFlops[a] < validationFlops[b]);
            points.Add(Point(name, AtSmallCost, family.Grid, onReported, reported, cheap));
            points.Add(Point(name, MatchingAccuracy, family.Grid, onReported, reported, matching));
        }
        PolicyEvaluation oracle = reported.Evaluate(new OraclePolicy(OracleKind.AgreesWithFinal));
        points.Add(new ComparisonPoint("oracle", Bound, null, true, oracle.Accuracy, Flops(oracle, reported)));

        int exits = reported.ExitCount;
        ComparisonPoint At(string name, double delta)
        {
            PolicyEvaluation e = reported.Evaluate(PolicyCatalog.Create(new PolicySpec(name, delta), evaluation.Calibration, exits));
            return new ComparisonPoint(name, "δ", delta, true, e.Accuracy, Flops(e, reported));
        }
        ImmutableArray<DeltaControl> deltas = [.. DeltaTargets.Select(d => new DeltaControl(d, At(PceePolicy.PlainName, d), At(PceePolicy.SmoothedName, d), At("max-prob", d)))];
        return new PceeComparison(compareModel, small.FullModelFlops, smallAccuracy, smallValidationAccuracy,
            reported.Trace.FullModelFlops, reported.ExitAccuracies[^1], points.ToImmutable(), deltas);
    }

    /// <summary>Average FLOPs per input of an evaluation on <paramref name="trace"/>'s evaluator.</summary>
    internal static double Flops(PolicyEvaluation evaluation, TraceEvaluator trace) => evaluation.ExpectedCompute * trace.Trace.FullModelFlops;

    /// <summary>The index among 0..n−1 satisfying <paramref name="eligible"/> that <paramref name="better"/> prefers; −1 when none is eligible.</summary>
    private static int Best(int n, Func<int, bool> eligible, Func<int, int, bool> better)
    {
        int best = -1;
        for (int i = 0; i < n; i++)
        {
            if (eligible(i) && (best < 0 || better(i, best))) best = i;
        }
        return best;
    }

    private static ComparisonPoint Point(string name, string goal, IReadOnlyList<double> grid, TradeoffCurve reported, TraceEvaluator evaluator, int index) =>
        index < 0
            ? new ComparisonPoint(name, goal, null, false, double.NaN, double.NaN)
            : new ComparisonPoint(name, goal, grid[index], true, reported.Points[index].Accuracy, Flops(reported.Points[index], evaluator));
}
