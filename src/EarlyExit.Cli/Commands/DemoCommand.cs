using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EarlyExit.Cli.Evaluation;
using EarlyExit.Cli.Models;
using EarlyExit.Cli.Outputs;
using EarlyExit.Data.Datasets.SpamAssassin;

namespace EarlyExit.Cli.Commands;

/// <summary>
/// <c>earlyexit demo</c>, the main job: on spam-assassin with MiniLM, train (joint objective, a
/// budget that ends within 15 minutes on 2 cores), calibrate, evaluate every policy and write
/// the report; print the key table and where the report is. Re-running reuses the finished
/// model and the cached exit traces, so it then takes seconds.
/// </summary>
/// <remarks>
/// The budget (our choice, measured on a busy 2-core machine): a seeded subset of
/// <see cref="DefaultTrainLimit"/> training mails, at most 128 tokens each, one epoch of batch 16
/// at learning rate <see cref="LearningRate"/>. Validation and test are the full splits.
/// </remarks>
public static class DemoCommand
{
    /// <summary>Training mails the demo uses by default.</summary>
    public const int DefaultTrainLimit = 800;

    /// <summary>Peak learning rate of the demo's short run: 1e-4, higher than BERT's 2e-5 because one short epoch must move six exits.</summary>
    public const double LearningRate = 1e-4;

    /// <summary>The examples <c>--help</c> prints.</summary>
    internal const string Examples = """
          earlyexit demo
          earlyexit demo --out /tmp/demo --train-limit 400 --max-length 64
        """;

    /// <summary>Builds the <c>demo</c> command.</summary>
    /// <param name="context">Writers and the cancellation token.</param>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var output = new Option<string>("--out") { Description = "The demo's folder (model, evaluation.json, report)", HelpName = "DIR", DefaultValueFactory = _ => "earlyexit-demo" };
        var limit = new Option<int>("--train-limit") { Description = "Training mails (a seeded subset of the train split)", HelpName = "N", DefaultValueFactory = _ => DefaultTrainLimit };
        var length = new Option<int>("--max-length") { Description = "Longest input in tokens", DefaultValueFactory = _ => TrainingDefaults.MaxLength };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training mails", DefaultValueFactory = _ => 1 };
        var seed = CliOptions.Seed();
        var threads = CliOptions.Threads();
        var command = new Command("demo", "The main job: train a multi-exit MiniLM on spam-assassin, calibrate it, evaluate every exit policy and write a report.")
        {
            output, limit, length, epochs, seed, threads,
        };
        command.SetAction(parse => (int)CliRunner.Run(context.Error, () => Run(new DemoSettings
        {
            Out = parse.GetValue(output)!,
            TrainLimit = parse.GetValue(limit),
            MaxLength = parse.GetValue(length),
            Epochs = parse.GetValue(epochs),
            Seed = parse.GetValue(seed),
            Threads = parse.GetValue(threads),
        }, context.Out, context.Error, context.CancellationToken), context.CancellationToken));
        return command;
    }

    /// <summary>Runs the demo: steps and progress on stderr; the key table and the report's path on stdout.</summary>
    /// <param name="settings">The budget.</param>
    /// <param name="stdout">The key table and the paths.</param>
    /// <param name="stderr">What it is doing.</param>
    /// <param name="cancellationToken">Ctrl-C: training stops and can be resumed by running the demo again.</param>
    /// <returns><see cref="CliExitStatus.Success"/>, or <see cref="CliExitStatus.Cancelled"/>.</returns>
    public static CliExitStatus Run(DemoSettings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        OutputPath.RequireFolder("--out", settings.Out);
        var clock = Stopwatch.StartNew();
        string data = SpamAssassinDataset.Name;
        string modelPath = Path.Combine(settings.Out, "model");
        var directory = new ModelDirectory(modelPath);

        if (directory.HasModel)
        {
            stderr.WriteLine($"[1/4] training: reusing the finished model in {directory.Path} (delete it to train again)");
        }
        else
        {
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[1/4] training all-MiniLM-L6-v2 with an exit after each of its 6 layers (joint objective) on {settings.TrainLimit:N0} spam-assassin training mails, ≤ {settings.MaxLength} tokens, {settings.Epochs} epoch(s)"));
            var trainSettings = new TrainSettings
            {
                Data = data,
                Out = modelPath,
                Objective = "joint",
                Epochs = settings.Epochs,
                BatchSize = 16,
                LearningRate = LearningRate,
                MaxLength = settings.MaxLength,
                TrainLimit = settings.TrainLimit,
                Seed = settings.Seed,
                Threads = settings.Threads,
            };
            // Training's epoch table is a log here: the demo's data is the key table.
            CliExitStatus trained = TrainCommand.Run(trainSettings, stderr, stderr, cancellationToken);
            if (trained != CliExitStatus.Success) return trained;
        }
        Step(stderr, clock, "[2/4] calibrating the exits on the validation split (reliability diagrams, BEEM thresholds)");
        var (calibration, _) = CalibrateCommand.Calibrate(new CalibrateSettings { Model = modelPath, Data = data, Seed = settings.Seed, Threads = settings.Threads },
            stderr, cancellationToken);

        string json = Path.Combine(settings.Out, "evaluation.json");
        Step(stderr, clock, "[3/4] evaluating every exit policy: parameters chosen on validation, measured on test");
        ModelEvaluation evaluation = EvaluateCommand.Evaluate(
            new EvaluateSettings { Model = modelPath, Data = data, Json = json, Seed = settings.Seed, Threads = settings.Threads }, stderr, cancellationToken);

        Step(stderr, clock, "[4/4] writing the report");
        string report = ReportCommand.Write(new ReportSettings { Model = modelPath, Data = data, Out = Path.Combine(settings.Out, "report") }, directory, evaluation);

        stdout.WriteLine("Key results (each tuned policy at 2× speed-up on validation, BEEM's eq. 3 thresholds, PCEE at the default δ, the full model, the oracles):");
        EvaluationTable.Write(stdout, evaluation.Result, keyRowsOnly: true, defaultDelta: calibration.DefaultDelta);
        stdout.WriteLine();
        stdout.WriteLine($"every policy and parameter: {Path.GetFullPath(json)}");
        stdout.WriteLine($"report: {report}");
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"demo finished in {clock.Elapsed.TotalMinutes:F1} min"));
        return CliExitStatus.Success;
    }

    private static void Step(TextWriter stderr, Stopwatch clock, string what) =>
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}  ({clock.Elapsed.TotalMinutes:F1} min so far)"));
}
