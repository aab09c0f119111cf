using EarlyExit.Cli.Inputs;
using System.CommandLine;
using EarlyExit.Cli.Evaluation;
using EarlyExit.Core.IO;
using EarlyExit.Cli.Models;
using EarlyExit.Cli.Outputs;
using EarlyExit.Data.Datasets;
using EarlyExit.Onnx.Runtime;

namespace EarlyExit.Cli.Commands;

/// <summary>
/// <c>earlyexit evaluate</c>: every policy of the catalog on a split (<see cref="PolicyBenchmark"/>),
/// parameters chosen on validation, on traces recorded with the <c>--backend</c> chosen; a table on stdout and, with <c>--json</c>, one row per
/// (policy, parameter) in a file (<see cref="EvaluationJson"/>).
/// </summary>
public static class EvaluateCommand
{
    /// <summary>The examples <c>--help</c> prints.</summary>
    internal const string Examples = """
          earlyexit evaluate --model models/spam --data spam-assassin
          earlyexit evaluate --model models/spam --data spam-assassin --json results.json
          earlyexit evaluate --model models/spam --data spam-assassin --split validation
          earlyexit evaluate --model models/spam --data spam-assassin --backend onnx
          earlyexit evaluate --model models/spam --data spam-assassin --backend onnx --precision int8
          earlyexit evaluate --model models/vit-large --data fashion-mnist --compare models/vit-small
          earlyexit evaluate --model models/spam --data spam-assassin --resample 1000 --risk-measure disagreement
        """;

    /// <summary>Builds the <c>evaluate</c> command.</summary>
    /// <param name="context">Writers and the cancellation token.</param>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = CliOptions.ModelDirectory();
        var data = CliOptions.Data();
        var split = CliOptions.Split();
        var json = new Option<string?>("--json") { Description = "Also write every row to this JSON file", HelpName = "FILE" };
        var compare = CliOptions.Compare();
        var resample = new ResampleOptions();
        var strict = CliOptions.Strict();
        var seed = CliOptions.Seed();
        var threads = CliOptions.Threads();
        var backend = CliOptions.Backend();
        var onnxThreads = CliOptions.OnnxThreads();
        var precision = CliOptions.Precision();
        var command = new Command("evaluate", "Measure every exit policy (thresholds, patience, BEEM, PCEE, static, oracles) on a split: accuracy vs speed-up.")
        {
            model, data, split, json, compare, strict, seed, threads, backend, onnxThreads, precision,
        };
        foreach (Option option in resample.All) command.Options.Add(option);
        command.SetAction(parse => (int)CliRunner.Run(context.Error, () => Run(new EvaluateSettings
        {
            Model = parse.GetValue(model)!,
            Data = parse.GetValue(data)!,
            Split = parse.GetValue(split)!,
            Json = parse.GetValue(json),
            Compare = parse.GetValue(compare),
            Resample = resample.Read(parse),
            Strict = parse.GetValue(strict),
            Seed = parse.GetValue(seed),
            Threads = parse.GetValue(threads),
            Backend = parse.GetValue(backend),
            OnnxThreads = parse.GetValue(onnxThreads),
            Precision = parse.GetValue(precision)!,
        }, context.Out, context.Error, context.CancellationToken), context.CancellationToken));
        return command;
    }

    /// <summary>Evaluates: the table on stdout (and, with <see cref="EvaluateSettings.Compare"/>, the comparison of <see cref="ComparisonTable"/>), the JSON file if asked.</summary>
    /// <param name="settings">Which model, data and split.</param>
    /// <param name="stdout">The table.</param>
    /// <param name="stderr">Logs and progress.</param>
    /// <param name="cancellationToken">Stops recording a trace.</param>
    /// <returns><see cref="CliExitStatus.Success"/>.</returns>
    /// <exception cref="CliException">A missing, corrupt or uncalibrated model, or data that cannot be loaded.</exception>
    public static CliExitStatus Run(EvaluateSettings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ResampleSettings? check = ResampleSettings.Parse(settings.Resample, settings.Split);
        ModelEvaluation evaluation = Evaluate(settings, stderr, cancellationToken);
        EvaluationTable.Write(stdout, evaluation.Result);
        if (check is not null) ResampleTable.Write(stdout, check.Run(evaluation, settings.Seed, stderr));
        if (settings.Compare is { } compare)
            ComparisonTable.Write(stdout, Compare(evaluation, compare, settings.Data, stderr, cancellationToken), settings.Split);
        return CliExitStatus.Success;
    }

    /// <summary>Compares an evaluated model with the smaller model in <paramref name="compare"/> (<see cref="PceeComparison"/>).</summary>
    /// <exception cref="CliException">The folder holds no model, or its classes differ.</exception>
    internal static PceeComparison Compare(ModelEvaluation evaluation, string compare, string data, TextWriter stderr, CancellationToken cancellationToken)
    {
        ModelDirectory directory = ModelDirectory.Open(compare);
        return PceeComparison.Run(evaluation, directory, DataSource.Parse(data), stderr, cancellationToken);
    }

    /// <summary>Evaluates and writes the JSON file; what <see cref="Run"/> and the demo share.</summary>
    /// <inheritdoc cref="Run"/>
    internal static ModelEvaluation Evaluate(EvaluateSettings settings, TextWriter stderr, CancellationToken cancellationToken)
    {
        ModelDirectory directory = ModelDirectory.Open(settings.Model);
        if (settings.Json is { } json) OutputPath.RequireFile("--json", json);
        OutputPath.RequireModelOutputs(directory, alwaysWrites: false, DatasetSplit.Validation, SplitOf(settings.Split));
        TorchSetup.Apply(settings.Threads, settings.Seed);
        OnnxBackendOptions onnxOptions = BackendSetup.OnnxOptions(settings.OnnxThreads, settings.Threads, settings.Precision, settings.Backend);
        ModelEvaluation evaluation = ModelEvaluation.Run(directory, settings.Data, settings.Split, stderr, cancellationToken, settings.Backend, onnxOptions, settings.Strict);
        if (settings.Json is { } path)
        {
            AtomicFile.WriteAllBytes(path, EvaluationJson.ToUtf8(evaluation.Result, directory.Path, settings.Data));
            stderr.WriteLine($"wrote {evaluation.Result.Rows.Length} rows to {Path.GetFullPath(path)}");
        }
        return evaluation;
    }

    /// <summary>The split that <c>--split</c> names (validation or test).</summary>
    internal static DatasetSplit SplitOf(string split) =>
        string.Equals(split, "validation", StringComparison.OrdinalIgnoreCase) ? DatasetSplit.Validation : DatasetSplit.Test;
}
