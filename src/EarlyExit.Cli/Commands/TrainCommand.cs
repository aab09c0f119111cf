using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using EarlyExit.Core.IO;
using EarlyExit.Cli.Inputs;
using EarlyExit.Cli.Models;
using EarlyExit.Cli.Terminal;
using EarlyExit.Data.Datasets;
using EarlyExit.Data.Tokenization;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Pretrained;
using EarlyExit.Torch.Training;

namespace EarlyExit.Cli.Commands;

/// <summary>
/// <c>earlyexit train</c>: fine-tunes all-MiniLM-L6-v2 with an exit after every layer on a
/// dataset's train split, keeps the epoch with the best validation accuracy (mean over the
/// exits), and writes it as a model folder (<see cref="ModelDirectory"/>). Ctrl-C stops after
/// the current step and leaves the resume state; the same command then goes on from there.
/// </summary>
public static class TrainCommand
{
    /// <summary>The examples <c>--help</c> prints.</summary>
    internal const string Examples = """
          earlyexit train --data spam-assassin --out models/spam
          earlyexit train --data csv:reviews.csv --objective cosee --epochs 2 --out models/reviews
          earlyexit train --data spam-assassin --freeze-backbone --max-length 64 --train-limit 500 --out models/quick
        """;

    /// <summary>Builds the <c>train</c> command; its action writes to <paramref name="context"/>.</summary>
    /// <param name="context">Writers and the cancellation token.</param>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = CliOptions.Data();
        var model = new Option<string>("--model") { Description = "Architecture: minilm (all-MiniLM-L6-v2, an exit after each of its 6 layers)", DefaultValueFactory = _ => TrainingDefaults.MiniLm };
        var objective = new Option<string>("--objective") { Description = "Training objective (ALGORITHMS §3)", DefaultValueFactory = _ => "joint" };
        objective.AcceptOnlyFromAmong([.. TrainingDefaults.Objectives]);
        var output = new Option<string>("--out") { Description = "The model folder to write", HelpName = "DIR", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training set", DefaultValueFactory = _ => 3 };
        var batch = new Option<int>("--batch-size") { Description = "Examples per step", DefaultValueFactory = _ => 16 };
        var rate = new Option<double?>("--learning-rate") { Description = "Peak learning rate (default 2e-5, or 1e-3 with --freeze-backbone)" };
        var headRate = new Option<double?>("--head-learning-rate") { Description = "Peak learning rate of the exit heads (default 1e-3: fresh heads need more than the pretrained backbone)" };
        var length = new Option<int>("--max-length") { Description = "Longest input in tokens; longer texts are truncated", DefaultValueFactory = _ => TrainingDefaults.MaxLength };
        var limit = new Option<int?>("--train-limit") { Description = "Train on a seeded random subset of this many training examples", HelpName = "N" };
        var freeze = new Option<bool>("--freeze-backbone") { Description = "Train the exit heads only (fast; the backbone stays pretrained)" };
        var seed = CliOptions.Seed();
        var threads = CliOptions.Threads();
        var command = new Command("train", "Fine-tune a multi-exit MiniLM on a dataset and write a model folder.")
        {
            data, model, objective, output, epochs, batch, rate, headRate, length, limit, freeze, seed, threads,
        };
        command.SetAction(parse => (int)CliRunner.Run(context.Error, () => Run(new TrainSettings
        {
            Data = parse.GetValue(data)!,
            Out = parse.GetValue(output)!,
            Model = parse.GetValue(model)!,
            Objective = parse.GetValue(objective)!,
            Epochs = parse.GetValue(epochs),
            BatchSize = parse.GetValue(batch),
            LearningRate = parse.GetValue(rate),
            HeadLearningRate = parse.GetValue(headRate),
            MaxLength = parse.GetValue(length),
            TrainLimit = parse.GetValue(limit),
            FreezeBackbone = parse.GetValue(freeze),
            Seed = parse.GetValue(seed),
            Threads = parse.GetValue(threads),
        }, context.Out, context.Error, context.CancellationToken), context.CancellationToken));
        return command;
    }

    /// <summary>Trains as <paramref name="settings"/> says: a table of epochs on stdout, progress on stderr.</summary>
    /// <param name="settings">What to train.</param>
    /// <param name="stdout">Data: the epoch table and the model folder.</param>
    /// <param name="stderr">Logs and progress.</param>
    /// <param name="cancellationToken">Ctrl-C: stops after the current step, keeping the resume state.</param>
    /// <returns><see cref="CliExitStatus.Success"/>, or <see cref="CliExitStatus.Cancelled"/> when stopped.</returns>
    /// <exception cref="CliException">A bad option, data that cannot be loaded, or a folder that already holds a model.</exception>
    public static CliExitStatus Run(TrainSettings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (!string.Equals(settings.Model, TrainingDefaults.MiniLm, StringComparison.OrdinalIgnoreCase))
            throw new CliException($"--model must be {TrainingDefaults.MiniLm}; got '{settings.Model}'");
        if (settings.MaxLength < TokenizerOptions.MinMaxLength || settings.MaxLength > 512)
            throw new CliException($"--max-length must be between {TokenizerOptions.MinMaxLength} and 512 (MiniLM's positions); got {settings.MaxLength}");
        if (settings.TrainLimit is < 1)
            throw new CliException($"--train-limit must be at least 1; got {settings.TrainLimit}");
        var directory = new ModelDirectory(settings.Out);
        if (directory.HasModel)
            throw new CliException($"--out {settings.Out} already holds a trained model; choose another folder or delete it");
        ITrainingObjective objective = CreateObjective(settings.Objective, settings.Epochs);
        var options = new TrainerOptions
        {
            Epochs = settings.Epochs,
            BatchSize = settings.BatchSize,
            LearningRate = settings.LearningRate ?? (settings.FreezeBackbone ? 1e-3 : 2e-5),
            HeadLearningRate = settings.HeadLearningRate ?? TrainingDefaults.HeadLearningRate,
            Seed = settings.Seed,
            FreezeBackbone = settings.FreezeBackbone,
            OutputDirectory = directory.TrainingPath,
            // Ctrl-C writes last/ anyway; this bounds what a crash or a kill loses.
            CheckpointEverySteps = 50,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new CliException(OptionMessage(e), CliExitStatus.UserError, e);
        }

        DatasetSpec spec = DataSource.Parse(settings.Data);
        TorchSetup.Apply(settings.Threads, settings.Seed);
        stderr.WriteLine($"loading {spec}");
        Dataset<TextExample> data = DataSource.Load(spec, cancellationToken);
        IReadOnlyList<TextExample> trainSplit = settings.TrainLimit is { } n && n < data.Train.Count
            ? Subset(data.Train, n, settings.Seed)
            : data.Train;
        if (trainSplit.Count == 0) throw new CliException($"--data {spec}: the train split is empty");
        var tokenizer = TextTokenizer.ForMiniLm(new TokenizerOptions { MaxLength = settings.MaxLength });
        List<TrainingExample> train = Tokenize(tokenizer, trainSplit, "tokenizing the train split", stderr);
        // Validation after each epoch picks the best epoch; with one epoch there is nothing to pick,
        // so the pass is skipped (calibrate measures every exit on validation anyway).
        List<TrainingExample>? validation = data.Validation.Count == 0 || settings.Epochs == 1
            ? null
            : Tokenize(tokenizer, data.Validation, "tokenizing the validation split", stderr);
        if (validation is null && data.Validation.Count > 0)
            stderr.WriteLine("one epoch: no validation pass during training (earlyexit calibrate measures every exit on validation)");
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"training {TrainingDefaults.Vocabulary} ({objective.Name}{(settings.FreezeBackbone ? ", backbone frozen" : "")}) on {train.Count:N0} examples"
            + $"{(train.Count < data.Train.Count ? $" (a seeded subset of {data.Train.Count:N0})" : "")}, ≤ {settings.MaxLength} tokens, "
            + $"{options.Epochs} epoch(s) of {(train.Count + options.BatchSize - 1) / options.BatchSize} steps, learning rate {options.LearningRate:G3} (heads {options.HeadLearningRate ?? options.LearningRate:G3}), {settings.Threads} thread(s)"));

        using MultiExitEncoder model = AllMiniLmL6V2.CreateEncoder(data.ClassNames.Count);
        var tokenizerSettings = new TokenizerSettings(TrainingDefaults.Vocabulary, LowerCase: true, settings.MaxLength);
        var trainer = new MultiExitTrainer(model, objective, options, data.ClassNames, tokenizerSettings);
        string resume = Path.Combine(directory.TrainingPath, MultiExitTrainer.ResumeDirectoryName);
        bool resuming = File.Exists(Path.Combine(resume, MultiExitTrainer.StateFileName));
        if (resuming) stderr.WriteLine($"resuming the stopped run from {resume}");

        var clock = Stopwatch.StartNew();
        long totalSteps = (long)options.Epochs * ((train.Count + options.BatchSize - 1) / options.BatchSize);
        TrainingResult result = ConsoleProgress.Run(stderr, "training", totalSteps, bar =>
        {
            var progress = new SynchronousProgress(p => bar.Report(p.GlobalStep, p.Validation is { } v
                ? string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch + 1} validation accuracy by exit {string.Join(" ", v.ExitAccuracies.Select(a => a.ToString("F3", CultureInfo.InvariantCulture)))}")
                : string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch + 1}/{p.EpochCount} loss {p.MeanLoss:F3} {p.ExamplesPerSecond:F1} ex/s")));
            try
            {
                return resuming
                    ? trainer.Resume(resume, train, validation, progress, cancellationToken)
                    : trainer.Train(train, validation, progress, cancellationToken);
            }
            catch (InvalidDataException e)
            {
                throw new CliException($"cannot resume from {resume}: {e.Message}; delete {directory.TrainingPath} to start over", CliExitStatus.UserError, e);
            }
        });
        if (!result.Completed)
        {
            stderr.WriteLine($"stopped after step {result.GlobalStep} of {totalSteps}; run the same command again to resume from {result.ResumeDirectory}");
            return CliExitStatus.Cancelled;
        }

        // The model folder: the best epoch's checkpoint (or the last weights without validation), metadata last.
        if (result.BestDirectory is { } best)
        {
            AtomicFile.Copy(Path.Combine(best, ModelCheckpoint.WeightsFileName), directory.WeightsPath);
            AtomicFile.Copy(Path.Combine(best, ModelCheckpoint.MetadataFileName), directory.MetadataPath);
        }
        else
        {
            ModelCheckpoint.Save(model, new CheckpointMetadata { Config = model.Config, LabelNames = [.. data.ClassNames], Tokenizer = tokenizerSettings }, directory.Path);
        }
        AtomicFile.WriteAllText(directory.TrainingLogPath, TrainingLog(settings, spec, options, train.Count, validation?.Count ?? 0, result, clock.Elapsed).ToJsonString(new() { WriteIndented = true }));
        Directory.Delete(directory.TrainingPath, recursive: true);

        WriteEpochTable(stdout, result);
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"model written to {directory.Path} (epoch {(result.BestEpoch ?? result.Epochs.Count - 1) + 1}, {clock.Elapsed.TotalSeconds:F0} s)"));
        return CliExitStatus.Success;
    }

    /// <summary>The objective named by <c>--objective</c>; two-stage gives stage 1 the first half of the epochs (rounded down, at least 1).</summary>
    /// <exception cref="CliException">An unknown name, or two-stage with fewer than 2 epochs.</exception>
    internal static ITrainingObjective CreateObjective(string name, int epochs) => name.ToLowerInvariant() switch
    {
        "joint" => new JointObjective(),
        "beem" => new BeemObjective(),
        "cosee" => new CoseeObjective(),
        "two-stage" when epochs >= 2 => new TwoStageObjective(Math.Max(1, epochs / 2)),
        "two-stage" => throw new CliException($"--objective two-stage needs --epochs of at least 2 (one per stage); got {epochs}"),
        _ => throw new CliException($"--objective must be one of {string.Join(", ", TrainingDefaults.Objectives)}; got '{name}'"),
    };

    private static string OptionMessage(ArgumentOutOfRangeException e) => e.ParamName switch
    {
        nameof(TrainerOptions.Epochs) => $"--epochs must be at least 1; got {e.ActualValue}",
        nameof(TrainerOptions.BatchSize) => $"--batch-size must be at least 1; got {e.ActualValue}",
        nameof(TrainerOptions.LearningRate) => $"--learning-rate must be a finite number above 0; got {e.ActualValue}",
        nameof(TrainerOptions.HeadLearningRate) => $"--head-learning-rate must be a finite number above 0; got {e.ActualValue}",
        _ => e.Message,
    };

    private static List<TextExample> Subset(IReadOnlyList<TextExample> examples, int count, int seed)
    {
        // A seeded shuffle, then the first count: a random subset that is the same on every run.
        int[] order = [.. Enumerable.Range(0, examples.Count)];
        new Random(seed).Shuffle(order);
        return [.. order.Take(count).Order().Select(i => examples[i])];
    }

    private static List<TrainingExample> Tokenize(TextTokenizer tokenizer, IReadOnlyList<TextExample> examples, string what, TextWriter log)
    {
        const int Chunk = 256;
        var result = new List<TrainingExample>(examples.Count);
        ConsoleProgress.Run(log, what, examples.Count, bar =>
        {
            for (int start = 0; start < examples.Count; start += Chunk)
            {
                TextExample[] chunk = [.. examples.Skip(start).Take(Chunk)];
                TokenBatch batch = tokenizer.EncodeExamples(chunk);
                for (int row = 0; row < chunk.Length; row++)
                {
                    result.Add(TrainingExample.FromPaddedRow(batch.InputIdsOf(row), batch.TokenTypeIdsOf(row), batch.AttentionMaskOf(row), chunk[row].Label));
                }
                bar.Report(start + chunk.Length);
            }
        });
        return result;
    }

    private static JsonObject TrainingLog(TrainSettings settings, DatasetSpec spec, TrainerOptions options, int trainCount, int validationCount,
        TrainingResult result, TimeSpan elapsed) => new()
    {
        ["data"] = spec.ToString(),
        ["model"] = TrainingDefaults.MiniLm,
        ["objective"] = settings.Objective,
        ["epochs"] = options.Epochs,
        ["batch_size"] = options.BatchSize,
        ["learning_rate"] = options.LearningRate,
        ["head_learning_rate"] = options.HeadLearningRate,
        ["max_length"] = settings.MaxLength,
        ["train_examples"] = trainCount,
        ["validation_examples"] = validationCount,
        ["freeze_backbone"] = options.FreezeBackbone,
        ["seed"] = options.Seed,
        ["threads"] = settings.Threads,
        ["best_epoch"] = result.BestEpoch,
        ["seconds"] = Math.Round(elapsed.TotalSeconds, 1),
        ["epoch_results"] = new JsonArray([.. result.Epochs.Select(e => (JsonNode)new JsonObject
        {
            ["epoch"] = e.Epoch,
            ["phase"] = e.Phase.ToString(),
            ["mean_loss"] = double.IsFinite(e.MeanLoss) ? e.MeanLoss : null,
            ["validation_exit_accuracies"] = e.Validation is null ? null : new JsonArray([.. e.Validation.ExitAccuracies.Select(a => (JsonNode)a)]),
            ["is_best"] = e.IsBest,
            ["seconds"] = Math.Round(e.Seconds, 1),
        })]),
    };

    private static void WriteEpochTable(TextWriter stdout, TrainingResult result)
    {
        if (result.Epochs.Count == 0) return;
        bool validated = result.Epochs.Any(e => e.Validation is not null);
        int exits = result.Epochs.Max(e => e.Validation?.ExitAccuracies.Length ?? 0);
        var header = new List<string> { "epoch", "loss", "seconds" };
        header.AddRange(Enumerable.Range(1, exits).Select(m => $"exit {m}"));
        var rows = result.Epochs.Select(e =>
        {
            var row = new List<string>
            {
                (e.Epoch + 1).ToString(CultureInfo.InvariantCulture) + (e.IsBest ? " *" : ""),
                e.MeanLoss.ToString("F3", CultureInfo.InvariantCulture),
                e.Seconds.ToString("F0", CultureInfo.InvariantCulture),
            };
            row.AddRange(e.Validation?.ExitAccuracies.Select(a => a.ToString("F3", CultureInfo.InvariantCulture)) ?? []);
            return (IReadOnlyList<string>)row;
        }).ToList();
        stdout.WriteLine(validated ? "validation accuracy of each exit after each epoch (* = kept):" : "training loss of each epoch:");
        TextTable.Write(stdout, header, rows);
    }

    /// <summary>Reports on the training thread (the trainer's reports are synchronous already).</summary>
    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
