using System.Collections.Immutable;
using EarlyExit.Core.Calibration;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;

namespace EarlyExit.Core.Catalog;

/// <summary>
/// Every exit policy by the name users type (CLI <c>--policy</c>, the server's <c>"policy"</c>),
/// with what its parameter means, its default, and the grid a trade-off sweep uses. One table
/// serves parsing, error messages and evaluation, so they cannot disagree.
/// </summary>
/// <remarks>
/// Parameters: thresholds τ for the five signals (docs/algorithms.md §1); patience P (PABEE); for BEEM a
/// single shared α ("classical") — without one, the eq. 3 per-exit thresholds from calibration;
/// δ for PCEE and PCEE-WS; k layers for static. The oracles take none and are evaluation bounds.
/// </remarks>
public static class PolicyCatalog
{
    private static readonly ImmutableArray<Entry> Entries =
    [
        Threshold(ExitSignal.MaxProb, "τ in [0, 1]: exit when max-prob ≥ τ", 0.9),
        Threshold(ExitSignal.Entropy, "τ ≥ 0 (nats): exit when entropy ≤ τ", 0.1),
        Threshold(ExitSignal.NormalizedEntropy, "τ in [0, 1]: exit when entropy / log C ≤ τ", 0.1),
        Threshold(ExitSignal.Energy, "τ: exit when energy −logsumexp(z) ≤ τ", null),
        Threshold(ExitSignal.NormalizedEnergy, "τ in [0, 1]: exit when σ(E) < τ", null),
        new("patience", "P ≥ 1: exit after P consecutive agreeing exits (PABEE)", false, (_, _) => 2,
            (p, _, _) => new PatiencePolicy(Integer(p, "patience")), (_, e) => Range(1, e.ExitCount)),
        new(BeemPolicy.CostName, "α ≥ 0 shared by every exit; omit for the eq. 3 per-exit thresholds", true, (_, _) => null,
            (p, c, _) => Beem(BeemPolicy.CostName, c!.BeemCost, p), (c, _) => ParameterGrid.Linear(0.05, c.BeemCost.Weights.Sum(), 100)),
        new(BeemPolicy.AccuracyName, "α ≥ 0 shared by every exit; omit for the eq. 3 per-exit thresholds", true, (_, _) => null,
            (p, c, _) => Beem(BeemPolicy.AccuracyName, c!.BeemAccuracy, p), (c, _) => ParameterGrid.Linear(0.05, c.BeemAccuracy.Weights.Sum(), 100)),
        new(PceePolicy.PlainName, "δ in [0, 1]: exit when similar validation samples were ≥ δ accurate", true, (c, _) => c!.DefaultDelta,
            (p, c, _) => new PceePolicy(c!.Diagrams, p!.Value), (_, _) => ParameterGrid.Linear(0.5, 1.0, 101)),
        new(PceePolicy.SmoothedName, "δ in [0, 1]: PCEE on diagrams smoothed over neighbouring bins", true, (c, _) => c!.DefaultDelta,
            (p, c, _) => PceePolicy.WithSmoothing(c!.Diagrams, p!.Value, c.PceeWsHalfWidth), (_, _) => ParameterGrid.Linear(0.5, 1.0, 101)),
        new(PceePolicy.BoundedName, "δ in [0, 1]: PCEE on each bin's Clopper–Pearson lower bound (γ = 0.05) instead of its accuracy", true, (c, _) => c!.DefaultDelta,
            (p, c, _) => PceePolicy.WithLowerBounds(c!.Diagrams, p!.Value), (_, _) => ParameterGrid.Linear(0.5, 1.0, 101)),
        new(StaticExitPolicy.PolicyName, "k in 1..M: always exit after k layers", false, (_, m) => m,
            (p, _, _) => new StaticExitPolicy(Integer(p, "k")), (_, e) => Range(1, e.ExitCount)),
        new("oracle", "none: first exit agreeing with the final exit (evaluation only)", false, (_, _) => null,
            (_, _, _) => new OraclePolicy(OracleKind.AgreesWithFinal), (_, _) => [double.NaN]),
        new("correct-oracle", "none: first correct exit (evaluation only)", false, (_, _) => null,
            (_, _, _) => new OraclePolicy(OracleKind.FirstCorrect), (_, _) => [double.NaN]),
    ];

    /// <summary>Every policy name, in report order.</summary>
    public static ImmutableArray<string> Names { get; } = [.. Entries.Select(e => e.Name)];

    /// <summary>The names that can run in a deployed model (every name but the oracles).</summary>
    public static ImmutableArray<string> DeployableNames { get; } = [.. Entries.Where(e => !e.Name.EndsWith("oracle", StringComparison.Ordinal)).Select(e => e.Name)];

    /// <summary>What the parameter of <paramref name="name"/> means, for help texts.</summary>
    /// <exception cref="ArgumentException">An unknown name; the message lists the valid ones.</exception>
    public static string DescribeParameter(string name) => Find(name).Parameter;

    /// <summary>Builds the policy a spec names, for a model with <paramref name="exitCount"/> exits.</summary>
    /// <param name="spec">Name and optional parameter; a missing parameter takes the policy's default.</param>
    /// <param name="calibration">The model's calibration; required by BEEM and PCEE.</param>
    /// <param name="exitCount">M, the model's number of exits; the policy is validated against it.</param>
    /// <exception cref="ArgumentException">Unknown name (the valid names are listed), a parameter
    /// out of range or not finite (NaN, ±∞), a parameter given to a policy that takes none, a missing required parameter,
    /// or a calibration that is missing or fitted for another number of exits.</exception>
    public static ExitPolicy Create(PolicySpec spec, ExitCalibration? calibration, int exitCount)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfLessThan(exitCount, 1);
        var entry = Find(spec.Name);
        if (entry.NeedsCalibration)
        {
            if (calibration is null)
                throw new ArgumentException($"policy '{entry.Name}' needs the model's calibration (run calibrate first)", nameof(calibration));
            if (calibration.ExitCount != exitCount)
                throw new ArgumentException($"the calibration is for {calibration.ExitCount} exits but the model has {exitCount}", nameof(calibration));
        }
        double? parameter = spec.Parameter ?? entry.Default(calibration, exitCount);
        if (spec.Parameter is not null && entry.Parameter.StartsWith("none", StringComparison.Ordinal))
            throw new ArgumentException($"policy '{entry.Name}' takes no parameter; got {spec.Parameter}", nameof(spec));
        if (parameter is null && !entry.ParameterOptional)
            throw new ArgumentException($"policy '{entry.Name}' needs a parameter ({entry.Parameter})", nameof(spec));
        // Every policy compares finite numbers; an infinite threshold or target is a typo or a
        // serializer's literal, and an echoed infinity is not even valid JSON.
        if (parameter is { } value && !double.IsFinite(value))
            throw new ArgumentException(
                $"the parameter of policy '{entry.Name}' is {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}; expected a finite number: {entry.Parameter}", nameof(spec));
        var policy = entry.Create(parameter, calibration, exitCount);
        policy.Validate(exitCount);
        return policy;
    }

    /// <summary>
    /// Builds the policy a spec names for a deployed model: <see cref="Create"/>, then the one
    /// deployability check (<see cref="PolicyNotDeployableException.ThrowIfNotDeployable"/>).
    /// </summary>
    /// <param name="spec">Name and optional parameter.</param>
    /// <param name="calibration">The model's calibration, or null.</param>
    /// <param name="exitCount">M, the model's number of exits.</param>
    /// <exception cref="PolicyNotDeployableException">The spec names an oracle.</exception>
    /// <exception cref="ArgumentException">As for <see cref="Create"/>.</exception>
    public static ExitPolicy CreateDeployable(PolicySpec spec, ExitCalibration? calibration, int exitCount)
    {
        ExitPolicy policy = Create(spec, calibration, exitCount);
        PolicyNotDeployableException.ThrowIfNotDeployable(policy);
        return policy;
    }

    /// <summary>
    /// The one-parameter family of <paramref name="name"/> with the grid a trade-off sweep uses:
    /// observed signal quantiles for thresholds, 1..M for patience and static, a linear α grid for
    /// BEEM, δ from 0.5 to 1 in steps of 0.005 for PCEE. The oracles are a single point.
    /// </summary>
    /// <param name="name">A catalog name.</param>
    /// <param name="calibration">The model's calibration (BEEM and PCEE need it).</param>
    /// <param name="evaluator">The trace the grid is drawn from (signal quantiles, M).</param>
    /// <exception cref="ArgumentException">Unknown name, or a needed calibration is missing.</exception>
    public static PolicyFamily Family(string name, ExitCalibration? calibration, TraceEvaluator evaluator)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        var entry = Find(name);
        if (entry.NeedsCalibration && calibration is null)
            throw new ArgumentException($"policy '{entry.Name}' needs the model's calibration (run calibrate first)", nameof(calibration));
        int exits = evaluator.ExitCount;
        return new PolicyFamily(entry.Name,
            p => entry.Create(double.IsNaN(p) ? null : p, calibration, exits),
            entry.Grid(calibration!, evaluator));
    }

    private static Entry Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var entry in Entries)
        {
            if (string.Equals(entry.Name, name, StringComparison.OrdinalIgnoreCase)) return entry;
        }
        throw new ArgumentException($"unknown policy '{name}'; valid policies: {string.Join(", ", Names)}", nameof(name));
    }

    private static Entry Threshold(ExitSignal signal, string parameter, double? fallback)
    {
        string name = ThresholdPolicy.NameOf(signal);
        return new(name, parameter, false, (_, _) => fallback,
            (p, _, _) => new ThresholdPolicy(signal, p!.Value), (_, e) => ParameterGrid.SignalQuantiles(e, signal, 200));
    }

    private static BeemPolicy Beem(string name, BeemThresholdFit fit, double? alpha) =>
        alpha is { } a ? new BeemPolicy(name, fit.Weights, [a]) : fit.ToPolicy(name);

    private static int Integer(double? value, string what)
    {
        double v = value!.Value;
        if (v != Math.Floor(v) || v < int.MinValue || v > int.MaxValue)
            throw new ArgumentException($"{what} must be a whole number; got {v}", nameof(value));
        return (int)v;
    }

    private static ImmutableArray<double> Range(int first, int last) => [.. Enumerable.Range(first, last - first + 1).Select(i => (double)i)];

    /// <summary>One row of the table.</summary>
    private sealed record Entry(
        string Name,
        string Parameter,
        bool NeedsCalibration,
        Func<ExitCalibration?, int, double?> Default,
        Func<double?, ExitCalibration?, int, ExitPolicy> Create,
        Func<ExitCalibration, TraceEvaluator, ImmutableArray<double>> Grid)
    {
        // BEEM's α may be omitted (eq. 3 thresholds); so may the oracles' non-parameter.
        public bool ParameterOptional => Name.StartsWith("beem", StringComparison.Ordinal) || Parameter.StartsWith("none", StringComparison.Ordinal);
    }
}
