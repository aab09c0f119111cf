using System.Collections.Immutable;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Policies;
using EarlyExit.Core.RiskControl;

namespace EarlyExit.Core.Calibration;

/// <summary>
/// Everything a multi-exit model learns about its own exits from a validation set, so that every
/// policy can be built later without the validation data: per-exit accuracy, PCEE's reliability
/// diagrams and BEEM's weights and thresholds (eq. 3), plus the policy to use by default.
/// </summary>
/// <remarks>
/// Built by <see cref="Fit"/> from a validation <see cref="TraceEvaluator"/>; stored beside a
/// model as JSON by <see cref="ExitCalibrationJson"/>. Validation is for calibration and model
/// selection only; a test split must never be passed here.
/// </remarks>
public sealed record ExitCalibration
{
    /// <summary>Creates a calibration, checking that every per-exit array has M entries.</summary>
    /// <exception cref="ArgumentException">A length differs from M, or a value is out of range.</exception>
    public ExitCalibration(int sampleCount, ImmutableArray<double> exitAccuracies, ImmutableArray<ReliabilityDiagram> diagrams,
        BeemThresholdFit beemCost, BeemThresholdFit beemAccuracy, PolicySpec defaultPolicy)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleCount, 1);
        ArgumentNullException.ThrowIfNull(beemCost);
        ArgumentNullException.ThrowIfNull(beemAccuracy);
        ArgumentNullException.ThrowIfNull(defaultPolicy);
        int exits = exitAccuracies.Length;
        if (exits < 1)
            throw new ArgumentException("a calibration needs at least one exit; got 0 exit accuracies", nameof(exitAccuracies));
        for (int m = 0; m < exits; m++)
        {
            if (!(exitAccuracies[m] >= 0 && exitAccuracies[m] <= 1))
                throw new ArgumentOutOfRangeException(nameof(exitAccuracies), exitAccuracies[m], $"exitAccuracies[{m}] must be in [0, 1]; got {exitAccuracies[m]}");
        }
        RequireLength(diagrams.Length, exits, nameof(diagrams));
        RequireLength(beemCost.Exits.Length, exits, nameof(beemCost));
        RequireLength(beemAccuracy.Exits.Length, exits, nameof(beemAccuracy));
        SampleCount = sampleCount;
        ExitAccuracies = exitAccuracies;
        Diagrams = diagrams;
        BeemCost = beemCost;
        BeemAccuracy = beemAccuracy;
        DefaultPolicy = defaultPolicy;
    }

    /// <summary>M, the number of exits.</summary>
    public int ExitCount => ExitAccuracies.Length;

    /// <summary>N, the number of validation samples it was fitted on.</summary>
    public int SampleCount { get; }

    /// <summary>Validation accuracy of each exit (BEEM-A's weights).</summary>
    public ImmutableArray<double> ExitAccuracies { get; }

    /// <summary>PCEE's per-exit reliability diagrams, unsmoothed (PCEE-WS smooths them when built).</summary>
    public ImmutableArray<ReliabilityDiagram> Diagrams { get; }

    /// <summary>BEEM-C: cost weights w_m = λ·m and eq. 3 thresholds (λ = <see cref="BeemLambda"/>).</summary>
    public BeemThresholdFit BeemCost { get; }

    /// <summary>
    /// λ of BEEM-C's weights w_m = λ·m: w_1. <see cref="Fit"/> defaults to 1/M, so w_M = 1 and every
    /// weight is in (0, 1] as the BEEM paper assumes; calibrations stored before λ was an option
    /// hold w_m = m, λ = 1.
    /// </summary>
    public double BeemLambda => BeemCost.Weights[0];

    /// <summary>
    /// PCEE-WS's smoothing half-width h in bins (docs/algorithms.md §2.5): a bin's estimate pools
    /// the h bins on each side. Default <see cref="DefaultPceeWsHalfWidth"/>; <c>calibrate --pcee-ws-width</c>.
    /// </summary>
    public int PceeWsHalfWidth
    {
        get => _pceeWsHalfWidth;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(PceeWsHalfWidth));
            _pceeWsHalfWidth = value;
        }
    }

    private readonly int _pceeWsHalfWidth = DefaultPceeWsHalfWidth;

    /// <summary>PCEE-WS's default half-width (our choice): the nearest bin on each side.</summary>
    public const int DefaultPceeWsHalfWidth = 1;

    /// <summary>
    /// PCEE's δ when none is named, the one value every PCEE variant, the default policy and the
    /// reports use: on correctness the final exit's validation accuracy rounded down to 0.01 (exit
    /// when similar samples were as accurate as the full model); on agreement 0.99 (the final exit
    /// always agrees with itself, so δ = its agreement, 1, would never exit early).
    /// </summary>
    public double DefaultDelta => DeltaFor(Target, FinalExitAccuracy);

    private static double DeltaFor(PceeTarget target, double finalExitAccuracy) => target == PceeTarget.Agreement
        ? 0.99
        // 1e-9: an accuracy like 0.97 may be 96.999… after the product, and must not round down to 0.96.
        : Math.Floor((finalExitAccuracy * 100) + 1e-9) / 100;

    /// <summary>BEEM-A: accuracy weights and eq. 3 thresholds.</summary>
    public BeemThresholdFit BeemAccuracy { get; }

    /// <summary>The policy used when a caller names none.</summary>
    public PolicySpec DefaultPolicy { get; }

    /// <summary>What the reliability diagrams count as a hit, so what PCEE's δ means. Default <see cref="PceeTarget.Correctness"/>.</summary>
    public PceeTarget Target { get; init; } = PceeTarget.Correctness;

    /// <summary>
    /// The Learn-then-Test choice <c>calibrate --risk</c> made (docs/algorithms.md §5), or null. When
    /// set, <see cref="DefaultPolicy"/> is its <see cref="RiskControlledChoice.Policy"/>.
    /// </summary>
    public RiskControlledChoice? RiskControl { get; init; }

    /// <summary>
    /// This calibration with <paramref name="choice"/> stored and its policy made the default, so
    /// predict, serve and the library run it when no policy is named.
    /// </summary>
    public ExitCalibration WithRiskControl(RiskControlledChoice choice)
    {
        ArgumentNullException.ThrowIfNull(choice);
        if (choice.ExitCount != ExitCount)
            throw new ArgumentException($"the risk-controlled choice is for {choice.ExitCount} exits; the calibration has {ExitCount}", nameof(choice));
        return new ExitCalibration(SampleCount, ExitAccuracies, Diagrams, BeemCost, BeemAccuracy, choice.Policy)
        {
            Target = Target,
            PceeWsHalfWidth = PceeWsHalfWidth,
            RiskControl = choice,
        };
    }

    /// <summary>Validation accuracy of the final exit: what the full model achieves.</summary>
    public double FinalExitAccuracy => ExitAccuracies[^1];

    /// <summary>
    /// Fits the calibration on a validation trace.
    /// </summary>
    /// <param name="validation">The validation split's exit trace, wrapped for evaluation.</param>
    /// <param name="bins">Reliability-diagram bins B (default 10, docs/algorithms.md §2 PCEE).</param>
    /// <param name="beemSearchSet">Candidate α's for eq. 3; null = the paper's {0.5, …, 5, M}.</param>
    /// <param name="beemMinCount">Minimum stopping samples for an α to count (default 1).</param>
    /// <param name="target">What PCEE's diagrams count: answers equal to the labels (default), or to the final exit's.</param>
    /// <param name="beemLambda">λ of BEEM-C's cost weights w_m = λ·m; null = 1/M (see remarks).</param>
    /// <remarks>
    /// <para>The default policy (our choice) is PCEE at <see cref="DefaultDelta"/>: exit as soon as
    /// validation samples of similar confidence were at least as accurate as the full model. It is
    /// the trustworthy-accuracy knob users turn.</para>
    /// <para>λ = 1/M by default (our choice, docs/algorithms.md §2.3): the BEEM paper assumes weights in
    /// [0, 1] and searches eq. 3's α in {0.5, …, 5, M}; with λ = 1 the score S_m reaches M(M+1)/2 and
    /// eq. 3 lets almost every sample out at the first exit. With λ = 1/M the last weight is 1 and a
    /// run of agreeing exits scores at most (M + 1)/2.</para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">λ not positive and finite.</exception>
    public static ExitCalibration Fit(TraceEvaluator validation, int bins = ReliabilityDiagram.DefaultBinCount,
        IReadOnlyList<double>? beemSearchSet = null, int beemMinCount = 1, PceeTarget target = PceeTarget.Correctness,
        double? beemLambda = null)
    {
        ArgumentNullException.ThrowIfNull(validation);
        int exits = validation.ExitCount;
        var labels = validation.Trace.Labels;
        // On agreement the final exit's answers stand in for the labels: one diagram builder for both targets.
        var diagrams = ReliabilityDiagrams.Build(validation.Signals, target == PceeTarget.Agreement ? validation.FinalPredictions : labels, exits, bins);
        var set = beemSearchSet ?? BeemThresholds.PaperSearchSet(exits);
        var cost = BeemThresholds.FromErrorRates(validation.Signals, labels, exits, BeemWeights.Cost(exits, beemLambda ?? 1.0 / exits), set, beemMinCount);
        var accuracy = BeemThresholds.FromErrorRates(validation.Signals, labels, exits,
            BeemWeights.Accuracy(validation.ExitAccuracies), set, beemMinCount);
        return new ExitCalibration(validation.SampleCount, validation.ExitAccuracies, diagrams, cost, accuracy,
            new PolicySpec(PceePolicy.PlainName, DeltaFor(target, validation.ExitAccuracies[^1]))) { Target = target };
    }

    private static void RequireLength(int actual, int exits, string name)
    {
        if (actual != exits)
            throw new ArgumentException($"{name} has {actual} exits; the calibration has {exits} (one per exit)", name);
    }
}
