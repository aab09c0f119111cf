using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using EarlyExit.Core.IO;
using EarlyExit.Cli.Inputs;
using EarlyExit.Cli.Models;
using EarlyExit.Cli.Outputs;
using EarlyExit.Cli.Terminal;
using EarlyExit.Core.Calibration;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.RiskControl;
using EarlyExit.Data.Datasets;

namespace EarlyExit.Cli.Commands;

/// <summary>
/// <c>earlyexit calibrate</c>: fits the model's exits on the validation split
/// (<see cref="ExitCalibration.Fit"/>: per-exit accuracy, PCEE reliability diagrams, BEEM weights
/// and eq. 3 thresholds, the default policy) and stores the result in the model's
/// <c>checkpoint.json</c>, so predict, evaluate and the server can use every policy.
/// </summary>
public static class CalibrateCommand
{
    /// <summary>The examples <c>--help</c> prints.</summary>
    internal const string Examples = """
          earlyexit calibrate --model models/spam --data spam-assassin
          earlyexit calibrate --model models/reviews --data csv:reviews.csv --bins 15
          earlyexit calibrate --model models/retrofit --data text:reviews.txt --pcee-target agreement
          earlyexit calibrate --model models/spam --data spam-assassin --risk disagreement:0.02 --confidence 0.9
          earlyexit calibrate --model models/spam --data spam-assassin --beem-lambda 0.25 --beem-alphas 0.25,0.5,0.75,1 --beem-min-count 20
        """;

    /// <summary>Builds the <c>calibrate</c> command.</summary>
    /// <param name="context">Writers and the cancellation token.</param>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = CliOptions.ModelDirectory();
        var data = CliOptions.Data();
        var bins = new Option<int>("--bins") { Description = "Reliability-diagram bins on [0, 1] (PCEE)", DefaultValueFactory = _ => ReliabilityDiagram.DefaultBinCount };
        var target = new Option<string>("--pcee-target")
        {
            Description = "What PCEE's δ promises: correctness (the early answer is right with probability δ) or agreement (it is the full model's answer with probability δ; needs no labels)",
            DefaultValueFactory = _ => "correctness",
        };
        target.AcceptOnlyFromAmong([.. Enum.GetValues<PceeTarget>().Select(ExitCalibrationJson.TargetName)]);
        var risk = new Option<string?>("--risk")
        {
            Description = "Risk control (Learn-then-Test, docs/algorithms.md §5): MEASURE:EPSILON with MEASURE disagreement (with the full model; needs no labels), error, or gap (accuracy lost to exiting); stores the cheapest policy whose risk is ≤ EPSILON with probability --confidence as the default",
        };
        var confidence = new Option<double>("--confidence") { Description = "With --risk: 1 − δ, the probability the guarantee holds over the draw of the validation set", DefaultValueFactory = _ => RiskLimit.DefaultConfidence };
        var riskPolicy = new Option<string>("--risk-policy")
        {
            Description = $"With --risk: the policy family tested, one of {string.Join(", ", RiskFamilies.Names)}",
            DefaultValueFactory = _ => RiskFamilies.DefaultFamily,
        };
        var beemLambda = new Option<double?>("--beem-lambda") { Description = "λ of BEEM-C's cost weights w_m = λ·m (default 1/M, so every weight is at most 1, as the BEEM paper assumes)" };
        var beemAlphas = new Option<string?>("--beem-alphas") { Description = "BEEM eq. 3's candidate thresholds α, comma-separated (default the paper's 0.5, 1, …, 5, M)" };
        var beemMinCount = new Option<int>("--beem-min-count") { Description = "BEEM eq. 3: the fewest validation samples that must stop at an α for it to be chosen (1 = the paper's rule)", DefaultValueFactory = _ => 1 };
        var pceeWsWidth = new Option<int>("--pcee-ws-width") { Description = "PCEE-WS: bins pooled on each side of a bin (the smoothing half-width)", DefaultValueFactory = _ => ExitCalibration.DefaultPceeWsHalfWidth };
        var strict = CliOptions.Strict();
        var seed = CliOptions.Seed();
        var threads = CliOptions.Threads();
        var command = new Command("calibrate", "Fit the exits on the validation split (accuracy, reliability diagrams, BEEM thresholds) and store it with the model.")
        {
            model, data, bins, target, risk, confidence, riskPolicy, beemLambda, beemAlphas, beemMinCount, pceeWsWidth, strict, seed, threads,
        };
        command.SetAction(parse => (int)CliRunner.Run(context.Error, () => Run(new CalibrateSettings
        {
            Model = parse.GetValue(model)!,
            Data = parse.GetValue(data)!,
            Bins = parse.GetValue(bins),
            PceeTarget = parse.GetValue(target)!,
            Risk = parse.GetValue(risk),
            Confidence = parse.GetValue(confidence),
            RiskPolicy = parse.GetValue(riskPolicy)!,
            BeemLambda = parse.GetValue(beemLambda),
            BeemAlphas = parse.GetValue(beemAlphas),
            BeemMinCount = parse.GetValue(beemMinCount),
            PceeWsWidth = parse.GetValue(pceeWsWidth),
            Strict = parse.GetValue(strict),
            Seed = parse.GetValue(seed),
            Threads = parse.GetValue(threads),
        }, context.Out, context.Error, context.CancellationToken), context.CancellationToken));
        return command;
    }

    /// <summary>Calibrates: a per-exit table on stdout; the calibration goes into the model folder.</summary>
    /// <param name="settings">Which model, which data.</param>
    /// <param name="stdout">The per-exit table.</param>
    /// <param name="stderr">Logs and progress.</param>
    /// <param name="cancellationToken">Stops recording the validation trace.</param>
    /// <returns>The fitted calibration's status, <see cref="CliExitStatus.Success"/>.</returns>
    /// <exception cref="CliException">A bad option, a missing or corrupt model, data that cannot be loaded.</exception>
    public static CliExitStatus Run(CalibrateSettings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var (calibration, agreements) = Calibrate(settings, stderr, cancellationToken);
        WriteTable(stdout, calibration, agreements);
        return CliExitStatus.Success;
    }

    /// <summary>Fits and stores the calibration; what <see cref="Run"/> and the demo share.</summary>
    /// <inheritdoc cref="Run"/>
    internal static (ExitCalibration Calibration, ImmutableArray<double> ExitAgreements) Calibrate(CalibrateSettings settings, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (settings.Bins < 1) throw new CliException($"--bins must be at least 1; got {settings.Bins}");
        PceeTarget target = Enum.GetValues<PceeTarget>().FirstOrDefault(t => ExitCalibrationJson.TargetName(t) == settings.PceeTarget.ToLowerInvariant(), (PceeTarget)(-1));
        if (!Enum.IsDefined(target))
            throw new CliException($"--pcee-target must be one of {string.Join(", ", Enum.GetValues<PceeTarget>().Select(ExitCalibrationJson.TargetName))}; got '{settings.PceeTarget}'");
        RiskLimit? limit = ParseRisk(settings);
        if (settings.BeemLambda is { } lambda && !(double.IsFinite(lambda) && lambda > 0))
            throw new CliException($"--beem-lambda must be a positive number; got {lambda.ToString(CultureInfo.InvariantCulture)}");
        ImmutableArray<double>? alphas = settings.BeemAlphas is { } text
            ? NumberList.Parse(text, "--beem-alphas", a => a >= 0 && double.IsFinite(a), "a number ≥ 0")
            : null;
        if (settings.BeemMinCount < 1) throw new CliException($"--beem-min-count must be at least 1; got {settings.BeemMinCount}");
        if (settings.PceeWsWidth < 0) throw new CliException($"--pcee-ws-width must be 0 or more bins; got {settings.PceeWsWidth}");
        ModelDirectory directory = ModelDirectory.Open(settings.Model);
        // Calibrate always rewrites checkpoint.json, so the folder must be writable before the trace is recorded.
        OutputPath.RequireModelOutputs(directory, alwaysWrites: true, DatasetSplit.Validation);
        DatasetSpec spec = DataSource.Parse(settings.Data);
        JsonObject metadata = directory.ReadMetadataJson();
        TorchSetup.Apply(settings.Threads, settings.Seed);
        using var source = new TraceSource(directory, spec, stderr, cancellationToken) { Strict = settings.Strict };
        var validation = new TraceEvaluator(source.Get(DatasetSplit.Validation));
        ExitCalibration calibration = ExitCalibration.Fit(validation, settings.Bins, alphas, settings.BeemMinCount, target, settings.BeemLambda)
            with { PceeWsHalfWidth = settings.PceeWsWidth };
        if (limit is not null)
        {
            RiskControlledChoice choice = LearnThenTest.Calibrate(validation, RiskFamilies.Create(settings.RiskPolicy, calibration, validation.ExitCount), limit);
            calibration = calibration.WithRiskControl(choice);
            stderr.WriteLine($"risk control: {choice.Describe()}");
        }
        // Only the calibration field of checkpoint.json changes; the weights are not rewritten.
        metadata["calibration"] = ExitCalibrationJson.ToJsonObject(calibration);
        AtomicFile.WriteAllText(directory.MetadataPath, metadata.ToJsonString(new() { WriteIndented = true }));
        stderr.WriteLine($"calibration on {validation.SampleCount:N0} validation samples stored in {directory.MetadataPath}");
        return (calibration, validation.ExitAgreements);
    }

    /// <summary>The --risk limit, or null; a bad one is a one-line error naming the option.</summary>
    private static RiskLimit? ParseRisk(CalibrateSettings settings)
    {
        if (settings.Risk is null) return null;
        if (!RiskFamilies.Names.Contains(settings.RiskPolicy, StringComparer.OrdinalIgnoreCase))
            throw new CliException($"--risk-policy: risk control cannot test '{settings.RiskPolicy}'; it tests {string.Join(", ", RiskFamilies.Names)} (policies with nothing fitted on the validation data)");
        try
        {
            return RiskLimit.Parse(settings.Risk, settings.Confidence);
        }
        catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException)
        {
            string message = e is ArgumentOutOfRangeException range && range.ParamName == nameof(RiskLimit.Delta)
                ? $"--confidence must be between 0 and 1 (exclusive); got {settings.Confidence.ToString(CultureInfo.InvariantCulture)}"
                : $"--risk: {e.Message.Split(" (Parameter", 2)[0]}";
            throw new CliException(message);
        }
    }

    private static void WriteTable(TextWriter stdout, ExitCalibration calibration, ImmutableArray<double> agreements)
    {
        static string F(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : v > 0 ? "never" : "-";
        var rows = Enumerable.Range(0, calibration.ExitCount).Select(m => (IReadOnlyList<string>)
        [
            (m + 1).ToString(CultureInfo.InvariantCulture),
            F(100 * calibration.ExitAccuracies[m], "F1") + "%",
            F(100 * agreements[m], "F1") + "%",
            F(calibration.BeemCost.Weights[m], "G3"),
            F(calibration.BeemCost.Exits[m].Threshold, "G3"),
            F(calibration.BeemAccuracy.Weights[m], "G3"),
            F(calibration.BeemAccuracy.Exits[m].Threshold, "G3"),
        ]).ToList();
        stdout.WriteLine($"validation: {calibration.SampleCount:N0} samples; BEEM thresholds from eq. 3 (final exit error {F(100 * calibration.BeemCost.FinalExitError, "F1")}%, "
            + $"BEEM-C λ = {F(calibration.BeemLambda, "G3")}, at least {calibration.BeemCost.MinCount} stopping sample(s) per α)");
        TextTable.Write(stdout, ["exit", "accuracy", "agreement", "BEEM-C w", "BEEM-C α", "BEEM-A w", "BEEM-A α"], rows);
        stdout.WriteLine();
        int bins = calibration.Diagrams[0].BinCount;
        stdout.WriteLine(calibration.Target == PceeTarget.Agreement
            ? "reliability diagrams (PCEE, on agreement): validation agreement with the final exit by max-prob bin, with the sample count"
            : "reliability diagrams (PCEE): validation accuracy by max-prob bin, with the sample count");
        var header = new List<string> { "exit" };
        header.AddRange(Enumerable.Range(0, bins).Select(b => string.Create(CultureInfo.InvariantCulture, $"{(double)b / bins:0.0#}-{(double)(b + 1) / bins:0.0#}")));
        var diagramRows = calibration.Diagrams.Select((d, m) =>
        {
            var row = new List<string> { (m + 1).ToString(CultureInfo.InvariantCulture) };
            row.AddRange(Enumerable.Range(0, bins).Select(b => d.Counts[b] == 0 ? "-"
                : string.Create(CultureInfo.InvariantCulture, $"{100 * d.BinAccuracies[b]:F0}% n={d.Counts[b]}")));
            return (IReadOnlyList<string>)row;
        }).ToList();
        TextTable.Write(stdout, header, diagramRows);
        stdout.WriteLine();
        stdout.WriteLine($"default policy: {calibration.DefaultPolicy}");
        if (calibration.RiskControl is { } risk) stdout.WriteLine($"guarantee: {risk.Describe()}");
    }
}
