using System.CommandLine;
using System.Text.Json.Nodes;
using EarlyExit.Cli.Evaluation;
using EarlyExit.Cli.Models;
using EarlyExit.Cli.Outputs;
using EarlyExit.Data.Datasets;
using EarlyExit.Cli.Reporting;

namespace EarlyExit.Cli.Commands;

/// <summary>
/// <c>earlyexit report</c>: evaluates every policy (as <c>evaluate</c> does) and writes an HTML
/// page with its plots (<see cref="HtmlReport"/>); prints the page's path.
/// </summary>
public static class ReportCommand
{
    /// <summary>The examples <c>--help</c> prints.</summary>
    internal const string Examples = """
          earlyexit report --model models/spam --data spam-assassin --out reports/spam
          earlyexit report --model models/vit-large --data fashion-mnist --compare models/vit-small --out reports/vit
          xdg-open reports/spam/index.html
        """;

    /// <summary>Builds the <c>report</c> command.</summary>
    /// <param name="context">Writers and the cancellation token.</param>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = CliOptions.ModelDirectory();
        var data = CliOptions.Data();
        var output = new Option<string>("--out") { Description = "The report folder (index.html and the PNG plots)", HelpName = "DIR", Required = true };
        var split = CliOptions.Split();
        var compare = CliOptions.Compare();
        var resample = new ResampleOptions();
        var strict = CliOptions.Strict();
        var seed = CliOptions.Seed();
        var threads = CliOptions.Threads();
        var command = new Command("report", "Write an HTML report with plots: accuracy vs speed-up, reliability diagrams, exit layers, PCEE's promise.")
        {
            model, data, output, split, compare, strict, seed, threads,
        };
        foreach (Option option in resample.All) command.Options.Add(option);
        command.SetAction(parse => (int)CliRunner.Run(context.Error, () => Run(new ReportSettings
        {
            Model = parse.GetValue(model)!,
            Data = parse.GetValue(data)!,
            Out = parse.GetValue(output)!,
            Split = parse.GetValue(split)!,
            Compare = parse.GetValue(compare),
            Resample = resample.Read(parse),
            Strict = parse.GetValue(strict),
            Seed = parse.GetValue(seed),
            Threads = parse.GetValue(threads),
        }, context.Out, context.Error, context.CancellationToken), context.CancellationToken));
        return command;
    }

    /// <summary>Writes the report; its path goes to stdout.</summary>
    /// <param name="settings">Model, data and report folder.</param>
    /// <param name="stdout">The path of index.html.</param>
    /// <param name="stderr">Logs and progress.</param>
    /// <param name="cancellationToken">Stops recording a trace.</param>
    /// <returns><see cref="CliExitStatus.Success"/>.</returns>
    /// <exception cref="CliException">A missing, corrupt or uncalibrated model, or data that cannot be loaded.</exception>
    public static CliExitStatus Run(ReportSettings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ResampleSettings? check = ResampleSettings.Parse(settings.Resample, settings.Split);
        ModelDirectory directory = ModelDirectory.Open(settings.Model);
        OutputPath.RequireFolder("--out", settings.Out);
        OutputPath.RequireModelOutputs(directory, alwaysWrites: false, DatasetSplit.Validation, EvaluateCommand.SplitOf(settings.Split));
        TorchSetup.Apply(settings.Threads, settings.Seed);
        ModelEvaluation evaluation = ModelEvaluation.Run(directory, settings.Data, settings.Split, stderr, cancellationToken, strict: settings.Strict);
        stdout.WriteLine(Write(settings, directory, evaluation, check?.Run(evaluation, settings.Seed, stderr)));
        return CliExitStatus.Success;
    }

    /// <summary>Writes the report of an evaluation already made; returns the path of index.html.</summary>
    internal static string Write(ReportSettings settings, ModelDirectory directory, ModelEvaluation evaluation, ResampleCheckResult? check = null)
    {
        JsonObject? log = File.Exists(directory.TrainingLogPath) ? JsonNode.Parse(File.ReadAllText(directory.TrainingLogPath)) as JsonObject : null;
        PceeComparison? comparison = settings.Compare is { } compare
            ? EvaluateCommand.Compare(evaluation, compare, settings.Data, TextWriter.Null, CancellationToken.None)
            : null;
        return HtmlReport.Write(settings.Out, evaluation, directory.Path, settings.Data, log, comparison, check);
    }
}
