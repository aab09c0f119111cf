using System.CommandLine;
using System.Globalization;
using EarlyExit.Cli.Models;
using EarlyExit.Cli.Scoring;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Policies;
using EarlyExit.Data.Datasets;
using EarlyExit.Data.Scoring;
using EarlyExit.Nats;
using EarlyExit.Onnx.Runtime;

namespace EarlyExit.Cli.Commands;

/// <summary>
/// <c>earlyexit score</c>: classifies a CSV, TSV or JSON Lines file into another, streaming (memory
/// bounded by the window), resumable after Ctrl-C or a kill (<c>--resume</c>), bad rows named by line.
/// </summary>
public static class ScoreCommand
{
    /// <summary>The examples <c>--help</c> prints.</summary>
    internal const string Examples = """
          earlyexit score --model models/spam --input mails.csv --output scored.csv
          earlyexit score --model models/reviews --input reviews.jsonl --output scored.jsonl --text-column review --id-column review_id
          earlyexit score --model models/spam --input mails.tsv --output scored.csv --on-error skip --all-probabilities
          earlyexit score --model models/spam --input mails.csv --output scored.csv --resume
        """;

    /// <summary>Builds the <c>score</c> command.</summary>
    /// <param name="context">Writers and the cancellation token.</param>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = CliOptions.ModelDirectory();
        var input = new Option<string>("--input") { Description = "The file to score: CSV, TSV or JSON Lines (format from the extension, or --input-format)", Required = true, HelpName = "FILE" };
        var output = new Option<string>("--output") { Description = "The file to write: id, label, probability, exit, compute per row, in input order", Required = true, HelpName = "FILE" };
        var inputFormat = new Option<string?>("--input-format") { Description = "csv, tsv or jsonl (default: from --input's extension)" };
        var outputFormat = new Option<string?>("--output-format") { Description = "csv, tsv or jsonl (default: from --output's extension)" };
        var textColumn = new Option<string>("--text-column") { Description = "The column (JSON field) holding the text", DefaultValueFactory = _ => "text" };
        var idColumn = new Option<string?>("--id-column") { Description = "A column carried through as each row's id (default: the 1-based row number)" };
        var all = new Option<bool>("--all-probabilities") { Description = "Also write every class's probability (p_CLASS columns)" };
        var policy = CliOptions.Policy();
        var parameter = CliOptions.Parameter();
        var window = new Option<int>("--window") { Description = "Rows read, classified and committed together; memory grows with it, not with the file", DefaultValueFactory = _ => 4096 };
        var tokens = new Option<int>("--max-batch-tokens") { Description = "Token budget of a batch (rows × longest row); rows are sorted by length within the window", DefaultValueFactory = _ => EarlyExitClassifierOptions.DefaultMaxBatchTokens };
        var batch = new Option<int>("--batch-size") { Description = "The most rows in a batch", DefaultValueFactory = _ => 64 };
        var onError = new Option<string>("--on-error") { Description = "A bad row (empty text, missing column, invalid UTF-8): fail names its line and stops; skip writes it to the errors file and goes on", DefaultValueFactory = _ => "fail" };
        onError.AcceptOnlyFromAmong("fail", "skip");
        var errors = new Option<string?>("--errors") { Description = "With --on-error skip: the errors file (default OUTPUT.errors.tsv: line, id, problem)", HelpName = "FILE" };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run after its last committed row (no gap, no duplicate)" };
        var threads = CliOptions.Threads();
        var backend = CliOptions.Backend();
        var onnxThreads = CliOptions.OnnxThreads();
        var precision = CliOptions.Precision();
        var nats = new NatsCommandOptions(required: false);
        var command = new Command("score", "Classify a CSV, TSV or JSON Lines file into another, streaming and resumable, with a progress bar and a summary.")
        {
            model, input, output, inputFormat, outputFormat, textColumn, idColumn, all, policy, parameter, window, tokens, batch, onError, errors, resume, threads, backend, onnxThreads, precision,
        };
        foreach (Option option in nats.All) command.Options.Add(option);
        command.SetAction(parse => (int)CliRunner.Run(context.Error, () => Run(new ScoreSettings
        {
            Model = parse.GetValue(model)!,
            Input = parse.GetValue(input)!,
            Output = parse.GetValue(output)!,
            InputFormat = parse.GetValue(inputFormat),
            OutputFormat = parse.GetValue(outputFormat),
            TextColumn = parse.GetValue(textColumn)!,
            IdColumn = parse.GetValue(idColumn),
            AllProbabilities = parse.GetValue(all),
            Policy = parse.GetValue(policy),
            Parameter = parse.GetValue(parameter),
            Window = parse.GetValue(window),
            MaxBatchTokens = parse.GetValue(tokens),
            BatchSize = parse.GetValue(batch),
            OnError = parse.GetValue(onError)!,
            Errors = parse.GetValue(errors),
            Resume = parse.GetValue(resume),
            Threads = parse.GetValue(threads),
            Backend = parse.GetValue(backend),
            OnnxThreads = parse.GetValue(onnxThreads),
            Precision = parse.GetValue(precision)!,
            Nats = nats.Read(parse),
        }, context.Out, context.Error, context.CancellationToken), context.CancellationToken));
        return command;
    }

    /// <summary>Scores the file; the summary on stdout, progress on stderr.</summary>
    /// <returns><see cref="CliExitStatus.Success"/>, or <see cref="CliExitStatus.Cancelled"/> when Ctrl-C stopped it (resumable).</returns>
    /// <exception cref="CliException">A bad option, a missing input, a bad row with --on-error fail, a resume that does not match.</exception>
    public static CliExitStatus Run(ScoreSettings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (settings.Window < 1) throw new CliException($"--window must be at least 1 row; got {settings.Window}");
        if (settings.MaxBatchTokens < 1) throw new CliException($"--max-batch-tokens must be at least 1; got {settings.MaxBatchTokens}");
        if (settings.BatchSize < 1) throw new CliException($"--batch-size must be at least 1; got {settings.BatchSize}");
        if (!File.Exists(settings.Input)) throw new CliException($"--input {settings.Input}: no such file");
        if (Path.GetFullPath(settings.Input) == Path.GetFullPath(settings.Output)) throw new CliException("--output must not be the --input file");
        var (inputFormat, outputFormat) = CheckFiles(settings);
        ModelDirectory folder = ModelDirectory.Open(settings.Model);
        TorchSetup.Apply(settings.Threads, TrainingDefaults.Seed);
        OnnxBackendOptions onnx = BackendSetup.OnnxOptions(settings.OnnxThreads, settings.Threads, settings.Precision, settings.Backend);
        // With --nats the workers run the model; here it only names the labels, the policy and the pool, so TorchSharp loads it (no ONNX export).
        using EarlyExitClassifier classifier = EarlyExitClassifier.Load(folder, new EarlyExitClassifierOptions
        {
            Backend = settings.Nats is null ? settings.Backend : InferenceBackend.Torch, Onnx = onnx, BatchSize = settings.BatchSize, MaxBatchTokens = settings.MaxBatchTokens,
        });
        ExitPolicy policy = PredictCommand.CreatePolicy(classifier, settings.Policy, settings.Parameter);
        string policyName = new PolicySpec(policy.Name, double.IsNaN(policy.Parameter) ? null : policy.Parameter).ToString();
        // The pool digests the weights: only a distributed run needs it.
        string? pool = settings.Nats is null ? null : NatsCommandOptions.Pool(folder, settings.Backend, settings.Precision);
        stderr.WriteLine($"policy {policyName} on {(settings.Nats is null ? InferenceBackends.NameOf(settings.Backend) : $"the workers of pool {pool} at {settings.Nats.Url}")}; "
            + $"windows of {settings.Window:N0} rows, batches of ≤ {settings.MaxBatchTokens:N0} tokens and ≤ {settings.BatchSize} rows");
        ScoreState state;
        ChunkSubmitter? submitter = null;
        (int Seen, long Duplicates)? workers = null;
        try
        {
            state = new ScoreRun(settings, inputFormat, outputFormat, classifier, policyName, stderr).Run(s =>
            {
                if (settings.Nats is not { } nats) return new LocalWindowScorer(classifier, policy, settings);
                submitter = Submitter(nats, s.NatsJob!, pool!, stderr, cancellationToken);
                return new NatsWindowScorer(submitter, s.NatsJob!, s.RowsRead / settings.Window,
                    new ChunkSettings(policy.Name, double.IsNaN(policy.Parameter) ? null : policy.Parameter, settings.MaxBatchTokens, settings.BatchSize, settings.AllProbabilities));
            }, cancellationToken);
            if (submitter is not null && !cancellationToken.IsCancellationRequested) submitter.PurgeAsync(cancellationToken).GetAwaiter().GetResult();
        }
        catch (DatasetFormatException e)
        {
            throw new CliException(e.Message, CliExitStatus.UserError, e);
        }
        catch (ChunkTooLargeException e)
        {
            throw new CliException($"--nats {settings.Nats!.Url}: {e.Message}", CliExitStatus.UserError, e);
        }
        finally
        {
            if (submitter is not null) workers = (submitter.WorkersSeen, submitter.Duplicates);
            submitter?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        bool stopped = cancellationToken.IsCancellationRequested;
        if (!stopped) File.Delete(ScoreState.PathFor(settings.Output));
        WriteSummary(stdout, state, classifier.ExitCount, settings, stopped);
        if (workers is { } w) stdout.WriteLine($"answered by {w.Seen} worker{(w.Seen == 1 ? "" : "s")} through {settings.Nats!.Url}; {w.Duplicates} repeated answers dropped");
        return stopped ? CliExitStatus.Cancelled : CliExitStatus.Success;
    }

    private static ChunkSubmitter Submitter(NatsScoringOptions nats, string job, string pool, TextWriter stderr, CancellationToken cancellationToken)
    {
        try
        {
            ChunkSubmitter submitter = ChunkSubmitter.OpenAsync(nats, job, pool, stderr, cancellationToken).GetAwaiter().GetResult();
            stderr.WriteLine($"job {job} on {nats.Url}: start workers with earlyexit worker --nats URL --model MODEL (the same --backend and --precision)");
            return submitter;
        }
        catch (NATS.Client.Core.NatsException e)
        {
            throw NatsCommandOptions.Unreachable(nats.Url, e);
        }
    }

    /// <summary>
    /// Before the model loads, the one place these are checked: the formats, and an output, state or
    /// errors file that exists (a new run) or a state file that does not (a resume), each one line.
    /// </summary>
    private static (ScoreFileFormat Input, ScoreFileFormat Output) CheckFiles(ScoreSettings settings)
    {
        static ScoreFileFormat Format(string? name, string path, string option)
        {
            try
            {
                return ScoreFileFormats.Resolve(name, path);
            }
            catch (ArgumentException e)
            {
                throw new CliException($"{option}: {e.Message}");
            }
        }
        var formats = (Format(settings.InputFormat, settings.Input, "--input-format"), Format(settings.OutputFormat, settings.Output, "--output-format"));
        string state = ScoreState.PathFor(settings.Output);
        if (settings.Resume && !File.Exists(state))
            throw new CliException($"--resume: {state} does not exist, so there is no interrupted run of --output {settings.Output} to continue");
        if (!settings.Resume && File.Exists(state))
            throw new CliException($"{settings.Output} is an interrupted run ({state} says so): add --resume to continue it, or delete both to start again");
        if (!settings.Resume && File.Exists(settings.Output))
            throw new CliException($"--output {settings.Output} already exists; choose another file or delete it");
        if (!settings.Resume && settings.OnError == "skip" && File.Exists(settings.ErrorsPath))
            throw new CliException($"the errors file {settings.ErrorsPath} already exists; delete it or name another with --errors");
        return formats;
    }

    private static void WriteSummary(TextWriter stdout, ScoreState s, int exits, ScoreSettings settings, bool stopped)
    {
        string perExit = string.Join(" ", s.ExitCounts.Select((c, m) => string.Create(CultureInfo.InvariantCulture, $"{m + 1}:{c}")));
        double meanCompute = s.Scored == 0 ? double.NaN : s.ComputeSum / s.Scored;
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(stopped ? "stopped (--resume continues)" : "scored")} {s.RowsRead:N0} rows into {settings.Output}: {s.Scored:N0} scored, {s.Failed:N0} errors{(s.Failed > 0 ? $" ({settings.ErrorsPath})" : "")}"));
        stdout.WriteLine($"rows per exit (exit:rows, of {exits}): {perExit}");
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"compute: {100 * meanCompute:F1}% of the full model's per row on average ({100 * (1 - meanCompute):F1}% saved); wall {s.Seconds:F1} s, {s.RowsRead / Math.Max(s.Seconds, 1e-9):F0} rows/s"));
    }
}
