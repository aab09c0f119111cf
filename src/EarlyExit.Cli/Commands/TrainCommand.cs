using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using EarlyExit.Core.Sampling;
using EarlyExit.Cli.Inputs;
using EarlyExit.Cli.Models;
using EarlyExit.Cli.Outputs;
using EarlyExit.Cli.Terminal;
using EarlyExit.Data.Datasets;
using EarlyExit.Data.Tokenization;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Import;
using EarlyExit.Data.Datasets.TextFiles;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Models.Vision;
using EarlyExit.Torch.Pretrained;
using EarlyExit.Torch.Training;

namespace EarlyExit.Cli.Commands;

/// <summary>
/// <c>earlyexit train</c>: fine-tunes all-MiniLM-L6-v2 with an exit after every layer on a text
/// dataset's train split (<c>--model minilm</c>), or trains a multi-exit ViT or CNN from scratch on
/// an image dataset (<c>--model vit-small</c>, … <see cref="VisionPresets"/>); keeps the epoch with
/// the best validation accuracy (mean over the exits), and writes it as a model folder
/// (<see cref="ModelDirectory"/>). Ctrl-C stops after the current step and leaves the resume
/// state; the same command then goes on from there. Both go through the one
/// <see cref="MultiExitTrainer"/>.
/// </summary>
public static class TrainCommand
{
    /// <summary>The examples <c>--help</c> prints.</summary>
    internal const string Examples = """
          earlyexit train --data spam-assassin --out models/spam
          earlyexit train --data csv:reviews.csv --objective cosee --epochs 2 --out models/reviews
          earlyexit train --data fine-foods --objective final --pooling cls --out models/plain
          earlyexit train --data spam-assassin --freeze-backbone --max-length 64 --train-limit 500 --out models/quick
          earlyexit train --data fashion-mnist --model vit-large --epochs 3 --batch-size 64 --augment --out models/vit-large
          earlyexit train --data images:photos?size=32 --model cnn-small --out models/photos
        """;

    /// <summary>Builds the <c>train</c> command; its action writes to <paramref name="context"/>.</summary>
    /// <param name="context">Writers and the cancellation token.</param>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = CliOptions.Data();
        var model = new Option<string>("--model")
        {
            Description = $"Architecture: {TrainingDefaults.MiniLm} (all-MiniLM-L6-v2 on text, an exit after each of its 6 layers), "
                + $"hf:PATH (your Hugging Face model folder: {string.Join(", ", HuggingFaceModel.SupportedModelTypes)}; a fine-tuned head stays the final exit), "
                + $"or on images, from scratch: {string.Join(", ", VisionPresets.Names)} (an exit after every block)",
            DefaultValueFactory = _ => TrainingDefaults.MiniLm,
        };
        var objective = new Option<string>("--objective") { Description = "Training objective (docs/algorithms.md §3)", DefaultValueFactory = _ => "joint" };
        objective.AcceptOnlyFromAmong([.. TrainingDefaults.Objectives]);
        var exitHead = new Option<string>("--exit-head")
        {
            Description = "Text models: each exit's head, dense (pool, dense + tanh, classifier; BERT's pooler) or linear (pool, classifier: cheaper at every exit passed)",
            DefaultValueFactory = _ => TrainingDefaults.ExitHeads[0],
        };
        exitHead.AcceptOnlyFromAmong([.. TrainingDefaults.ExitHeads]);
        var pooling = new Option<string?>("--pooling")
        {
            Description = "Text models: how each exit head pools the token states, mean (MiniLM's default) or cls (the first token: BERT's pooler, what a Hugging Face *ForSequenceClassification head reads, so export --format hf can write it; the default for hf:PATH)",
        };
        var temperature = new Option<double?>("--temperature") { Description = "--objective self-distill: the softmax temperature T of teacher and students (default 1; docs/algorithms.md §3.5)" };
        var coseeSignal = new Option<string?>("--cosee-signal") { Description = $"--objective cosee: the signal simulated and calibrated, one of {string.Join(", ", CoseeSettings.SignalNames)} (default normalized-energy)" };
        var coseeAlpha = new Option<double?>("--cosee-alpha") { Description = "--objective cosee: α, the weight of the online signal calibration (default 0.1)" };
        var coseeBeta = new Option<double?>("--cosee-beta0") { Description = "--objective cosee: β₀, how sharply the sample weights peak at each sample's simulated exit at the end of training (default 10)" };
        var coseeK = new Option<int?>("--cosee-thresholds") { Description = "--objective cosee: K, exit thresholds simulated per step (default 5)" };
        var coseeMargin = new Option<double?>("--cosee-margin") { Description = "--objective cosee: ε, the margin between easy and hard samples' mean signal (default 0.3)" };
        var noHeadCache = new Option<bool>("--no-head-cache")
        {
            Description = "With the backbone frozen, run the whole network every epoch instead of training the heads on its outputs computed once (slower; the backbone's dropout stays on)",
        };
        pooling.AcceptOnlyFromAmong([.. TrainingDefaults.Poolings]);
        var output = new Option<string>("--out") { Description = "The model folder to write", HelpName = "DIR", Required = true };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training set", DefaultValueFactory = _ => 3 };
        var batch = new Option<int>("--batch-size") { Description = "Examples per step", DefaultValueFactory = _ => 16 };
        var rate = new Option<double?>("--learning-rate") { Description = "Peak learning rate (default 2e-5, or 1e-3 with --freeze-backbone or for a vision model from scratch)" };
        var headRate = new Option<double?>("--head-learning-rate") { Description = "Peak learning rate of the exit heads (default 1e-3: fresh heads need more than the pretrained backbone)" };
        var length = new Option<int>("--max-length") { Description = "Longest input in tokens; longer texts are truncated", DefaultValueFactory = _ => TrainingDefaults.MaxLength };
        var limit = new Option<int?>("--train-limit") { Description = "Train on a seeded random subset of this many training examples", HelpName = "N" };
        var freeze = new Option<bool>("--freeze-backbone") { Description = "Train the exit heads only (fast; the backbone stays pretrained)" };
        var augment = new Option<bool>("--augment") { Description = "Vision models: random crop with 2 pixels of padding and horizontal flip, seeded" };
        var strict = CliOptions.Strict();
        var seed = CliOptions.Seed();
        var threads = CliOptions.Threads();
        var command = new Command("train", "Fine-tune a multi-exit MiniLM on a dataset and write a model folder.")
        {
            data, model, objective, exitHead, pooling, temperature, coseeSignal, coseeAlpha, coseeBeta, coseeK, coseeMargin, noHeadCache, output, epochs, batch, rate, headRate, length, limit, freeze, augment, strict, seed, threads,
        };
        command.SetAction(parse => (int)CliRunner.Run(context.Error, () => Run(new TrainSettings
        {
            Data = parse.GetValue(data)!,
            Out = parse.GetValue(output)!,
            Model = parse.GetValue(model)!,
            Objective = parse.GetValue(objective)!,
            ExitHead = parse.GetValue(exitHead)!,
            Pooling = parse.GetValue(pooling),
            Temperature = parse.GetValue(temperature),
            Cosee = new CoseeSettings(parse.GetValue(coseeSignal), parse.GetValue(coseeAlpha), parse.GetValue(coseeBeta), parse.GetValue(coseeK), parse.GetValue(coseeMargin)),
            NoHeadCache = parse.GetValue(noHeadCache),
            Epochs = parse.GetValue(epochs),
            BatchSize = parse.GetValue(batch),
            LearningRate = parse.GetValue(rate),
            HeadLearningRate = parse.GetValue(headRate),
            MaxLength = parse.GetValue(length),
            TrainLimit = parse.GetValue(limit),
            FreezeBackbone = parse.GetValue(freeze),
            Augment = parse.GetValue(augment),
            Strict = parse.GetValue(strict),
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
        bool vision = VisionPresets.IsPreset(settings.Model);
        bool huggingFace = ModelDirectory.NamesHuggingFace(settings.Model);
        if (!vision && !huggingFace && !string.Equals(settings.Model, TrainingDefaults.MiniLm, StringComparison.OrdinalIgnoreCase))
            throw new CliException($"--model must be one of {TrainingDefaults.MiniLm}, hf:PATH, {string.Join(", ", VisionPresets.Names)}; got '{settings.Model}'");
        bool labelFree = string.Equals(settings.Objective, "self-distill", StringComparison.OrdinalIgnoreCase);
        if (labelFree && !huggingFace)
            throw new CliException("--objective self-distill retrofits exits onto a fine-tuned classifier, whose final exit it keeps: give it with --model hf:PATH (earlyexit export --format hf writes one from a model folder)");
        if (settings.Temperature is not null && !labelFree)
            throw new CliException("--temperature applies to --objective self-distill only");
        bool cosee = string.Equals(settings.Objective, "cosee", StringComparison.OrdinalIgnoreCase);
        if (settings.Cosee.Any && !cosee)
            throw new CliException("--cosee-signal, --cosee-alpha, --cosee-beta0, --cosee-thresholds and --cosee-margin apply to --objective cosee only");
        if (!TrainingDefaults.ExitHeads.Contains(settings.ExitHead, StringComparer.OrdinalIgnoreCase))
            throw new CliException($"--exit-head must be one of {string.Join(", ", TrainingDefaults.ExitHeads)}; got '{settings.ExitHead}'");
        if (vision && LinearHead(settings))
            throw new CliException($"--exit-head applies to text models (--model {TrainingDefaults.MiniLm}); the vision presets have their own heads");
        if (settings.Pooling is { } named && !TrainingDefaults.Poolings.Contains(named, StringComparer.OrdinalIgnoreCase))
            throw new CliException($"--pooling must be one of {string.Join(", ", TrainingDefaults.Poolings)}; got '{named}'");
        if (vision && settings.Pooling is not null)
            throw new CliException($"--pooling applies to text models (--model {TrainingDefaults.MiniLm}); the vision presets have their own heads");
        if (!vision && (settings.MaxLength < TokenizerOptions.MinMaxLength || settings.MaxLength > 512))
            throw new CliException($"--max-length must be between {TokenizerOptions.MinMaxLength} and 512 (BERT's positions); got {settings.MaxLength}");
        if (settings.TrainLimit is < 1)
            throw new CliException($"--train-limit must be at least 1; got {settings.TrainLimit}");
        // Before the data is loaded and the model trained: a file or an unwritable folder here used to
        // be found only when the trained model was written.
        OutputPath.RequireFolder("--out", settings.Out);
        var directory = new ModelDirectory(settings.Out);
        directory.RecoverInterruptedWrites();
        if (directory.HasModel)
            throw new CliException($"--out {settings.Out} already holds a trained model; choose another folder or delete it");
        ITrainingObjective objective = CreateObjective(settings.Objective, settings.Epochs, settings.Temperature, cosee ? settings.Cosee.ToOptions() : null);
        var options = new TrainerOptions
        {
            Epochs = settings.Epochs,
            BatchSize = settings.BatchSize,
            LearningRate = settings.LearningRate ?? (settings.FreezeBackbone || vision ? 1e-3 : 2e-5),
            HeadLearningRate = settings.HeadLearningRate ?? TrainingDefaults.HeadLearningRate,
            Seed = settings.Seed,
            FreezeBackbone = settings.FreezeBackbone,
            CacheHeadInputs = !settings.NoHeadCache,
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
        DataSource.CheckKind(spec, images: vision);
        if (spec.Kind == DatasetKind.PlainText && !labelFree)
            throw new CliException($"--data {spec} holds texts without labels; only --objective self-distill trains on those (objective {settings.Objective} needs labels)");
        // Opened before the data loads: a wrong folder is said at once.
        ModelDirectory? source = huggingFace ? ModelDirectory.Open(settings.Model) : null;
        TorchSetup.Apply(settings.Threads, settings.Seed);
        stderr.WriteLine($"loading {spec}");
        var job = new TrainingJob(settings, spec, directory, objective, options, stdout, stderr, cancellationToken);
        return vision ? TrainImages(job) : source is not null ? TrainImported(job, source) : TrainText(job);
    }

    private static CliExitStatus TrainText(TrainingJob job)
    {
        TrainSettings settings = job.Settings;
        Dataset<TextExample> data = DataSource.Load(job.Spec, job.CancellationToken, job.Stderr, settings.Strict);
        IReadOnlyList<TextExample> trainSplit = TrainSubset(job, data);
        EncoderConfig config = EncoderConfig.AllMiniLmL6V2(data.ClassNames.Count) with
        {
            HeadDense = !LinearHead(settings),
            Pooling = ClsPooling(settings) ? ExitPooling.Cls : ExitPooling.Mean, // MiniLM's default: mean
        };
        var tokenizer = TextTokenizer.ForMiniLm(new TokenizerOptions { MaxLength = settings.MaxLength });
        TokenTrainingSet train = Tokenize(job, trainSplit, tokenizer, config, "train");
        // Validation after each epoch picks the best epoch; with one epoch there is nothing to pick,
        // so the pass is skipped (calibrate measures every exit on validation anyway).
        TokenTrainingSet? validation = ValidateEachEpoch(job, data) ? Tokenize(job, data.Validation, tokenizer, config, "validation") : null;
        TrainerOptions options = job.Options;
        job.Stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"training {TrainingDefaults.Vocabulary} ({job.Objective.Name}{(settings.FreezeBackbone ? ", backbone frozen" : "")}) on {train.Count:N0} examples"
            + $"{(train.Count < data.Train.Count ? $" (a seeded subset of {data.Train.Count:N0})" : "")}, ≤ {settings.MaxLength} tokens, "
            + $"{options.Epochs} epoch(s) of {(train.Count + options.BatchSize - 1) / options.BatchSize} steps, learning rate {options.LearningRate:G3} (heads {options.HeadLearningRate ?? options.LearningRate:G3}), {settings.ExitHead.ToLowerInvariant()} exit heads ({config.Pooling.ToString().ToLowerInvariant()} pooling), {settings.Threads} thread(s)"));

        using MultiExitEncoder model = AllMiniLmL6V2.CreateEncoder(config);
        var tokenizerSettings = new TokenizerSettings(TrainingDefaults.Vocabulary, LowerCase: true, settings.MaxLength);
        var metadata = new CheckpointMetadata { Config = model.Config, LabelNames = [.. data.ClassNames], Tokenizer = tokenizerSettings };
        return Fit(job, model, metadata, train, validation,
            new JsonObject { ["model"] = TrainingDefaults.MiniLm, ["max_length"] = settings.MaxLength, ["exit_head"] = settings.ExitHead.ToLowerInvariant(), ["pooling"] = config.Pooling.ToString().ToLowerInvariant() });
    }

    private static CliExitStatus TrainImages(TrainingJob job)
    {
        TrainSettings settings = job.Settings;
        Dataset<ImageExample> data = DataSource.LoadImages(job.Spec, job.CancellationToken);
        IReadOnlyList<ImageExample> train = TrainSubset(job, data);
        // Normalisation from the training images themselves (our choice; for Fashion-MNIST about
        // mean 0.286, std 0.353): the config carries it, so every later use applies the same.
        PixelStatistics pixels = PixelStatistics.Of(train);
        VisionConfig config;
        try
        {
            config = VisionPresets.Create(settings.Model, data.ClassNames.Count, train[0].Height, train[0].Channels, pixels.Mean, pixels.Std);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new CliException($"--model {settings.Model} does not fit --data {job.Spec}: {CliErrors.MessageOf(e)}", CliExitStatus.UserError, e);
        }
        ImageAugmentation? augmentation = settings.Augment ? new ImageAugmentation() : null;
        TrainerOptions options = job.Options;
        job.Stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"training {settings.Model} ({config.Architecture}, {config.BlockCount} blocks of width {config.Width}, {job.Objective.Name}) from scratch on {train.Count:N0} "
            + $"{config.ImageSize}-pixel images{(train.Count < data.Train.Count ? $" (a seeded subset of {data.Train.Count:N0})" : "")}, {(augmentation is null ? "no augmentation" : "crop and flip")}, "
            + $"pixels normalised with mean {pixels.Mean:F3} and std {pixels.Std:F3}, {options.Epochs} epoch(s) of {(train.Count + options.BatchSize - 1) / options.BatchSize} steps, "
            + $"learning rate {options.LearningRate:G3} (heads {options.HeadLearningRate ?? options.LearningRate:G3}), {settings.Threads} thread(s)"));

        using MultiExitVisionModel model = MultiExitVisionModel.Create(config);
        var metadata = new CheckpointMetadata { Kind = ModelKind.Vision, Vision = config, LabelNames = [.. data.ClassNames] };
        return Fit(job, model, metadata, new ImageTrainingSet(train, config, augmentation, "train"),
            ValidateEachEpoch(job, data) ? new ImageTrainingSet(data.Validation, config, name: "validation") : null,
            new JsonObject { ["model"] = settings.Model.ToLowerInvariant(), ["augment"] = settings.Augment, ["image_size"] = config.ImageSize });
    }

    private static bool LinearHead(TrainSettings settings) => string.Equals(settings.ExitHead, "linear", StringComparison.OrdinalIgnoreCase);

    private static bool ClsPooling(TrainSettings settings) => string.Equals(settings.Pooling, "cls", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Trains exits onto a Hugging Face model (<c>--model hf:PATH</c>): imported with its tokenizer, its
    /// classifier head kept as the final exit and its label names, the tokenizer files copied into the
    /// new model folder. Labelled data must name the model's classes (mapped by name); a label-free
    /// objective reads only the texts.
    /// </summary>
    private static CliExitStatus TrainImported(TrainingJob job, ModelDirectory source)
    {
        TrainSettings settings = job.Settings;
        bool labelFree = !job.Objective.NeedsLabels;
        Dataset<TextExample>? data = job.Spec.Kind == DatasetKind.PlainText ? null : DataSource.Load(job.Spec, job.CancellationToken, job.Stderr, settings.Strict);
        var importOptions = new HuggingFaceImportOptions
        {
            ClassCount = data?.ClassNames.Count,
            // Internal exits pool the mean by default (early layers' [CLS] states say little yet); an imported classifier head keeps [CLS].
            Pooling = ClsPooling(settings) ? ExitPooling.Cls : ExitPooling.Mean,
            HeadDense = !LinearHead(settings),
            Seed = settings.Seed,
        };
        var (checkpoint, imported, tokenizer) = source.ImportHuggingFace(importOptions, settings.MaxLength);
        using MultiExitEncoder model = checkpoint.Model;
        if (labelFree && !imported.HasClassifierHead)
            throw new CliException($"--model {settings.Model}: the folder has no classifier head (a bare backbone), so there is no final exit to distil from; fine-tune it with a labelled --objective first");
        EncoderConfig config = model.Config;
        TokenTrainingSet train, validation;
        string trainNote;
        if (data is null || labelFree)
        {
            // Texts only: the objective reads no label, so none is passed on and none can leak in.
            (IReadOnlyList<string> trainTexts, IReadOnlyList<string> validationTexts, trainNote) = data is null
                ? UnlabelledSplits(job)
                : (TrainSubset(job, data).Select(e => e.Text).ToList(), data.Validation.Select(e => e.Text).ToList(), $"the texts of {job.Spec} (labels not read)");
            train = Tokenize(job, trainTexts, tokenizer, config, "train");
            validation = Tokenize(job, validationTexts, tokenizer, config, "validation");
        }
        else
        {
            IReadOnlyList<TextExample> trainSplit = TrainSubset(job, data);
            int[] classOf = ClassMap(settings.Model, imported, data);
            train = Tokenize(job, Relabel(trainSplit, classOf), tokenizer, config, "train");
            validation = Tokenize(job, Relabel(data.Validation, classOf), tokenizer, config, "validation");
            trainNote = $"{job.Spec}";
        }
        TrainerOptions options = job.Options;
        job.Stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"training {settings.Model} ({imported.Architecture}, {config.LayerCount} layers, hidden {config.HiddenSize}, {(imported.HasClassifierHead ? "its classifier head as the final exit" : "a new final head")}; "
            + $"{job.Objective.Name}) on {train.Count:N0} examples of {trainNote}, ≤ {tokenizer.Options.MaxLength} tokens ({tokenizer.Kind}), "
            + $"{options.Epochs} epoch(s) of {(train.Count + options.BatchSize - 1) / options.BatchSize} steps, learning rate {options.LearningRate:G3} (heads {options.HeadLearningRate ?? options.LearningRate:G3}), {settings.Threads} thread(s)"));
        // Copied before training: the folder is not a model until training/ is gone, and then it is whole.
        TokenizerSettings tokenizerSettings = job.Directory.CopyTokenizer(tokenizer, source.Path);
        var metadata = new CheckpointMetadata { Config = config, LabelNames = imported.LabelNames, Tokenizer = tokenizerSettings };
        return Fit(job, model, metadata, train, validation, new JsonObject
        {
            ["model"] = settings.Model,
            ["architecture"] = imported.Architecture.ToString(),
            ["classifier_head_kept"] = imported.HasClassifierHead,
            ["max_length"] = tokenizer.Options.MaxLength,
            ["tokenizer"] = tokenizer.Kind.ToString(),
            ["temperature"] = job.Objective is SelfDistillObjective d ? d.Temperature : null,
            ["labels_read"] = !labelFree,
        });
    }

    /// <summary><c>text:PATH</c>: its texts, split into train (a seeded subset with <c>--train-limit</c>) and validation.</summary>
    private static (IReadOnlyList<string> Train, IReadOnlyList<string> Validation, string Note) UnlabelledSplits(TrainingJob job)
    {
        UnlabelledTexts texts;
        try
        {
            texts = PlainTextFile.Load(job.Spec.Path!);
        }
        catch (DatasetException e)
        {
            throw new CliException($"--data {job.Spec}: {e.Message}", CliExitStatus.UserError, e);
        }
        IReadOnlyList<string> train = job.Settings.TrainLimit is { } n && n < texts.Train.Count
            ? SeededShuffle.Sample(texts.Train, n, unchecked((ulong)job.Settings.Seed))
            : texts.Train;
        return (train, texts.Validation, string.Create(CultureInfo.InvariantCulture, $"{job.Spec} ({texts.Train.Count + texts.Validation.Count:N0} unlabelled texts)"));
    }

    /// <summary>
    /// Data class → model class, by name. A folder whose labels are Hugging Face's placeholders
    /// (LABEL_0, LABEL_1, …) takes the data's classes in order, as its fine-tuning did.
    /// </summary>
    /// <exception cref="CliException">The names differ.</exception>
    private static int[] ClassMap(string model, ImportedModel imported, Dataset<TextExample> data)
    {
        IReadOnlyList<string> names = imported.LabelNames;
        bool placeholders = names.Select((n, i) => n == $"LABEL_{i}").All(b => b);
        if (placeholders && names.Count == data.ClassNames.Count) return [.. Enumerable.Range(0, names.Count)];
        int[] map = [.. data.ClassNames.Select(c => names.ToList().IndexOf(c))];
        if (names.Count != data.ClassNames.Count || map.Contains(-1))
            throw new CliException($"--model {model} predicts [{string.Join(", ", names)}] but the data's classes are [{string.Join(", ", data.ClassNames)}]; "
                + "train on data with the model's classes, or retrofit without labels (--objective self-distill)");
        return map;
    }

    private static List<TextExample> Relabel(IReadOnlyList<TextExample> examples, int[] classOf) =>
        [.. examples.Select(e => new TextExample(e.Text, e.TextPair, classOf[e.Label]))];

    /// <summary>The train split, or a seeded subset of <see cref="TrainSettings.TrainLimit"/> examples of it.</summary>
    private static IReadOnlyList<T> TrainSubset<T>(TrainingJob job, Dataset<T> data)
        where T : ILabelledExample
    {
        // A seeded subset in the split's order: the same examples on every run, and on a resume.
        IReadOnlyList<T> train = job.Settings.TrainLimit is { } n && n < data.Train.Count
            ? SeededShuffle.Sample(data.Train, n, unchecked((ulong)job.Settings.Seed))
            : data.Train;
        if (train.Count == 0) throw new CliException($"--data {job.Spec}: the train split is empty");
        // Refused here, not after training: calibrate needs validation, and evaluate and report need
        // test, so a model trained on such data could not be calibrated or measured.
        string? empty = data.Validation.Count == 0 ? "validation" : data.Test.Count == 0 ? "test" : null;
        if (empty is not null)
            throw new CliException(string.Create(CultureInfo.InvariantCulture,
                $"--data {job.Spec}: the {empty} split is empty ({data.Train.Count:N0} train, {data.Validation.Count:N0} validation, {data.Test.Count:N0} test examples); calibrate and evaluate need examples in both validation and test: give more rows"));
        return train;
    }

    /// <summary>Whether to validate after each epoch: only with more than one epoch to choose from.</summary>
    private static bool ValidateEachEpoch<T>(TrainingJob job, Dataset<T> data)
        where T : ILabelledExample
    {
        bool validate = data.Validation.Count > 0 && job.Settings.Epochs > 1;
        if (!validate && data.Validation.Count > 0)
            job.Stderr.WriteLine("one epoch: no validation pass during training (earlyexit calibrate measures every exit on validation)");
        return validate;
    }

    /// <summary>Runs the trainer (or resumes it), then writes the model folder, the training log and the epoch table.</summary>
    private static CliExitStatus Fit(TrainingJob job, IMultiExitNetwork model, CheckpointMetadata metadata,
        ITrainingSet train, ITrainingSet? validation, JsonObject modelLog)
    {
        TrainerOptions options = job.Options;
        ModelDirectory directory = job.Directory;
        var trainer = new MultiExitTrainer(model, job.Objective, options, metadata);
        string resume = directory.ResumePath;
        bool resuming = directory.HasResumeState;
        if (resuming) job.Stderr.WriteLine($"resuming the stopped run from {resume}");

        var clock = Stopwatch.StartNew();
        long totalSteps = (long)options.Epochs * ((train.Count + options.BatchSize - 1) / options.BatchSize);
        TrainingResult result = ConsoleProgress.Run(job.Stderr, "training", totalSteps, bar =>
        {
            var progress = new SynchronousProgress<TrainingProgress>(p => bar.Report(p.GlobalStep, p.Validation is { } v
                ? string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch + 1} validation {MeasureName(v)} by exit {string.Join(" ", v.ExitAccuracies.Select(a => a.ToString("F3", CultureInfo.InvariantCulture)))}")
                : string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch + 1}/{p.EpochCount} loss {p.MeanLoss:F3} {p.ExamplesPerSecond:F1} ex/s")));
            try
            {
                return resuming
                    ? trainer.Resume(resume, train, validation, progress, job.CancellationToken)
                    : trainer.Train(train, validation, progress, job.CancellationToken);
            }
            catch (InvalidDataException e)
            {
                throw new CliException($"cannot resume from {resume}: {e.Message}; delete {directory.TrainingPath} to start over", CliExitStatus.UserError, e);
            }
        }, finished: r => r.Completed);
        if (!result.Completed)
        {
            job.Stderr.WriteLine($"stopped after step {result.GlobalStep} of {totalSteps}; run the same command again to resume from {result.ResumeDirectory}");
            return CliExitStatus.Cancelled;
        }

        JsonObject log = TrainingLog(job, train.Count, validation?.Count ?? 0, result, clock.Elapsed);
        foreach (var (key, value) in modelLog) log[key] = value?.DeepClone();
        // The best epoch's checkpoint, or the last weights without validation.
        directory.WriteTrainedModel(result.BestDirectory, model, metadata, log);

        WriteEpochTable(job.Stdout, result);
        job.Stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"model written to {directory.Path} (epoch {(result.BestEpoch ?? result.Epochs.Count - 1) + 1}, {clock.Elapsed.TotalSeconds:F0} s)"));
        return CliExitStatus.Success;
    }

    /// <summary>The objective named by <c>--objective</c>; two-stage gives stage 1 the first half of the epochs (rounded down, at least 1).</summary>
    /// <exception cref="CliException">An unknown name, or two-stage with fewer than 2 epochs.</exception>
    internal static ITrainingObjective CreateObjective(string name, int epochs, double? temperature = null, CoseeOptions? cosee = null) => name.ToLowerInvariant() switch
    {
        "joint" => new JointObjective(),
        "self-distill" when temperature is not (<= 0 or double.NaN or double.PositiveInfinity) => new SelfDistillObjective(temperature ?? 1),
        "self-distill" => throw new CliException($"--temperature must be a finite number above 0; got {temperature}"),
        "final" => new FinalExitObjective(),
        "beem" => new BeemObjective(),
        "cosee" => new CoseeObjective(cosee),
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

    /// <summary>Tokenizes unlabelled texts with a progress bar on stderr.</summary>
    private static TokenTrainingSet Tokenize(TrainingJob job, IReadOnlyList<string> texts, TextTokenizer tokenizer, EncoderConfig config, string split) =>
        ConsoleProgress.Run(job.Stderr, $"tokenizing the {split} texts", texts.Count,
            bar => TokenTrainingSet.TokenizeUnlabelled(texts, tokenizer, config, split, new SynchronousProgress<int>(n => bar.Report(n))));

    /// <summary>Tokenizes a split with a progress bar on stderr.</summary>
    private static TokenTrainingSet Tokenize(TrainingJob job, IReadOnlyList<TextExample> examples, TextTokenizer tokenizer, EncoderConfig config, string split) =>
        ConsoleProgress.Run(job.Stderr, $"tokenizing the {split} split", examples.Count,
            bar => TokenTrainingSet.Tokenize(examples, tokenizer, config, split, new SynchronousProgress<int>(n => bar.Report(n))));

    private static JsonObject TrainingLog(TrainingJob job, int trainCount, int validationCount, TrainingResult result, TimeSpan elapsed) => new()
    {
        ["data"] = job.Spec.ToString(),
        ["objective"] = job.Settings.Objective,
        ["cosee"] = job.Objective is CoseeObjective c ? CoseeSettings.ToJson(c.Options) : null,
        ["epochs"] = job.Options.Epochs,
        ["batch_size"] = job.Options.BatchSize,
        ["learning_rate"] = job.Options.LearningRate,
        ["head_learning_rate"] = job.Options.HeadLearningRate,
        ["train_examples"] = trainCount,
        ["validation_examples"] = validationCount,
        ["freeze_backbone"] = job.Options.FreezeBackbone,
        ["seed"] = job.Options.Seed,
        ["threads"] = job.Settings.Threads,
        ["best_epoch"] = result.BestEpoch,
        ["seconds"] = Math.Round(elapsed.TotalSeconds, 1),
        ["epoch_results"] = new JsonArray([.. result.Epochs.Select(e => (JsonNode)new JsonObject
        {
            ["epoch"] = e.Epoch,
            ["phase"] = e.Phase.ToString(),
            ["mean_loss"] = double.IsFinite(e.MeanLoss) ? e.MeanLoss : null,
            ["validation_exit_accuracies"] = e.Validation is null ? null : new JsonArray([.. e.Validation.ExitAccuracies.Select(a => (JsonNode)a)]),
            ["validation_measure"] = e.Validation is null ? null : MeasureName(e.Validation),
            ["is_best"] = e.IsBest,
            ["seconds"] = Math.Round(e.Seconds, 1),
        })]),
    };

    /// <summary>"accuracy", or "agreement" (with the final exit) for a label-free objective's validation.</summary>
    private static string MeasureName(ValidationResult validation) =>
        validation.Measure == ValidationMeasure.Agreement ? "agreement" : "accuracy";

    private static void WriteEpochTable(TextWriter stdout, TrainingResult result)
    {
        if (result.Epochs.Count == 0) return;
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
        ValidationResult? first = result.Epochs.Select(e => e.Validation).FirstOrDefault(v => v is not null);
        stdout.WriteLine(first is null ? "training loss of each epoch:"
            : first.Measure == ValidationMeasure.Agreement ? "validation agreement of each exit with the final exit after each epoch (no labels read; * = kept):"
            : "validation accuracy of each exit after each epoch (* = kept):");
        TextTable.Write(stdout, header, rows);
    }

    /// <summary>What one run of the command trains, shared by the text and image paths.</summary>
    private sealed record TrainingJob(TrainSettings Settings, DatasetSpec Spec, ModelDirectory Directory, ITrainingObjective Objective,
        TrainerOptions Options, TextWriter Stdout, TextWriter Stderr, CancellationToken CancellationToken);

    /// <summary>Reports on the calling thread (the trainer's and the tokenizer's reports are synchronous already; Progress&lt;T&gt; would post them).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
