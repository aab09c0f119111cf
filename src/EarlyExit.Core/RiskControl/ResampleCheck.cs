using System.Collections.Immutable;
using EarlyExit.Core.Calibration;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Sampling;
using EarlyExit.Core.Traces;

namespace EarlyExit.Core.RiskControl;

/// <summary>
/// The check that makes a controlled method's claim honest (docs/algorithms.md §5, "checking the
/// claim"): pool the validation and test traces, R times draw a seeded random half as calibration
/// and the rest as test, calibrate each method on the first half, measure its risk on the second,
/// and count how often it exceeds the target.
/// </summary>
/// <remarks>
/// <para>Two violation rates. On the test half, as the papers report it: that half's risk is itself
/// an estimate from n/2 samples, and, the pool being fixed, it moves opposite to the calibration
/// half's (a lucky calibration half leaves an unlucky test half), so even a method whose true risk
/// is just under ε shows "violations" there. On the pool: the chosen setting's risk on all pooled
/// samples, the population both halves are drawn from without replacement. That is the event the
/// guarantee is about, and the binomial tail stays valid for draws without replacement (the
/// hypergeometric is the more concentrated), so Learn-then-Test keeps it ≤ δ exactly.</para>
/// </remarks>
/// <remarks>
/// <para>Methods, each aiming at the target a = 1 − ε (disagreement, error) or acc_M − ε (gap, with
/// acc_M the final exit's accuracy on the calibration half): Learn-then-Test over max-prob
/// (<see cref="LearnThenTest"/>, the only one with a guarantee); PCEE, PCEE-WS and PCEE with bounds at
/// δ = a, their diagrams counting agreement with the final exit for the disagreement risk and
/// correctness otherwise; and max-prob with τ = a, the naive reading of a confidence.</para>
/// <para>Draws run in parallel; each takes its permutation from <see cref="SeededShuffle"/> with
/// the seed mixed with the draw's index, so the result does not depend on scheduling.</para>
/// </remarks>
public static class ResampleCheck
{
    /// <summary>The name of the Learn-then-Test row.</summary>
    public const string RiskControlledName = "risk-controlled max-prob";

    /// <summary>The name of the naive threshold row.</summary>
    public const string NaiveMaxProbName = "max-prob τ=target";

    /// <summary>The methods, in report order.</summary>
    public static ImmutableArray<string> Methods { get; } =
        [RiskControlledName, PceePolicy.PlainName, PceePolicy.SmoothedName, PceePolicy.BoundedName, NaiveMaxProbName];

    /// <summary>Runs the check.</summary>
    /// <param name="pooled">The validation and test traces pooled (<see cref="ExitTrace.Concat"/>), at least 4 samples.</param>
    /// <param name="measure">The risk.</param>
    /// <param name="epsilons">The targets ε, each in (0, 1).</param>
    /// <param name="delta">δ of the risk-controlled method.</param>
    /// <param name="draws">R ≥ 1 (the issue asks ≥ 500 for a report).</param>
    /// <param name="seed">The seed of every split.</param>
    /// <param name="bins">PCEE's reliability-diagram bins.</param>
    /// <returns>One result per (method, ε), methods in <see cref="Methods"/> order within each ε.</returns>
    public static ImmutableArray<ResampleResult> Run(ExitTrace pooled, RiskMeasure measure, IReadOnlyList<double> epsilons, double delta,
        int draws, ulong seed, int bins = ReliabilityDiagram.DefaultBinCount)
    {
        ArgumentNullException.ThrowIfNull(pooled);
        ArgumentNullException.ThrowIfNull(epsilons);
        ArgumentOutOfRangeException.ThrowIfLessThan(draws, 1);
        if (pooled.SampleCount < 4)
            throw new ArgumentException($"resampling needs at least 4 pooled samples; got {pooled.SampleCount}", nameof(pooled));
        var limits = epsilons.Select(e => new RiskLimit(measure, e, delta)).ToArray(); // checks ε and δ
        int methods = Methods.Length;
        // [draw][ε][method] → (violated, risk, speed-up, fell back)
        var outcomes = new (bool Violated, double Risk, double Speedup, bool FellBack, bool PopulationViolated)[draws, limits.Length, methods];
        var population = new TraceEvaluator(pooled);
        double populationFull = population.ExitAccuracies[^1];
        Parallel.For(0, draws, d =>
        {
            int[] order = SeededShuffle.Permutation(pooled.SampleCount, seed ^ (0x9E3779B97F4A7C15UL * (ulong)(d + 1)));
            int half = pooled.SampleCount / 2;
            var calibration = new TraceEvaluator(pooled.Select(order.AsSpan(0, half)));
            var test = new TraceEvaluator(pooled.Select(order.AsSpan(half)));
            var diagrams = ReliabilityDiagrams.Build(calibration.Signals,
                measure == RiskMeasure.Disagreement ? calibration.FinalPredictions : calibration.Trace.Labels, calibration.ExitCount, bins);
            PolicyFamily family = RiskFamilies.Create(RiskFamilies.DefaultFamily, null, calibration.ExitCount);
            TradeoffCurve curve = calibration.Sweep(family.Create, family.Grid);
            double calibrationFull = calibration.ExitAccuracies[^1], testFull = test.ExitAccuracies[^1];
            for (int e = 0; e < limits.Length; e++)
            {
                RiskLimit limit = limits[e];
                RiskControlledChoice choice = LearnThenTest.Calibrate(curve, family.Name, calibration.SampleCount, calibrationFull, limit);
                double aim = Math.Clamp(measure == RiskMeasure.AccuracyGap ? calibrationFull - limit.Epsilon : 1 - limit.Epsilon, 0, 1);
                ExitPolicy[] policies =
                [
                    PolicyCatalog.Create(choice.Policy, null, calibration.ExitCount),
                    new PceePolicy(diagrams, aim),
                    PceePolicy.WithSmoothing(diagrams, aim, ExitCalibration.DefaultPceeWsHalfWidth),
                    PceePolicy.WithLowerBounds(diagrams, aim),
                    new ThresholdPolicy(Signals.ExitSignal.MaxProb, aim),
                ];
                for (int k = 0; k < methods; k++)
                {
                    PolicyEvaluation measured = test.Evaluate(policies[k]);
                    double risk = LearnThenTest.RiskOf(measured, testFull, measure);
                    double populationRisk = LearnThenTest.RiskOf(population.Evaluate(policies[k]), populationFull, measure);
                    outcomes[d, e, k] = (risk > limit.Epsilon, risk, measured.SpeedupRatio, k == 0 && choice.FellBack, populationRisk > limit.Epsilon);
                }
            }
        });
        var results = ImmutableArray.CreateBuilder<ResampleResult>(limits.Length * methods);
        for (int e = 0; e < limits.Length; e++)
        {
            for (int k = 0; k < methods; k++)
            {
                int violated = 0, fellBack = 0, populationViolated = 0;
                double risk = 0, speedup = 0;
                for (int d = 0; d < draws; d++)
                {
                    var o = outcomes[d, e, k];
                    if (o.Violated) violated++;
                    if (o.FellBack) fellBack++;
                    if (o.PopulationViolated) populationViolated++;
                    risk += o.Risk;
                    speedup += o.Speedup;
                }
                results.Add(new ResampleResult(Methods[k], limits[e].Epsilon, draws, (double)violated / draws, risk / draws, speedup / draws, (double)fellBack / draws, (double)populationViolated / draws));
            }
        }
        return results.MoveToImmutable();
    }
}
