using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Models;

namespace EarlyExit.Torch.Training;

/// <summary>
/// Trains a multi-exit model — a <see cref="MultiExitEncoder"/> on text or a
/// <see cref="Models.Vision.MultiExitVisionModel"/> on images, any <see cref="IMultiExitNetwork"/> —
/// with one of the objectives of docs/algorithms.md §3: AdamW with linear warm-up and decay, gradient
/// clipping, seeded shuffling, dropout and augmentation, validation after every epoch with the
/// best checkpoint kept, progress reports, stop and resume.
/// </summary>
/// <remarks>
/// <para>One loop for every input: the examples come as an <see cref="ITrainingSet"/>
/// (<see cref="TokenTrainingSet"/>, <see cref="ImageTrainingSet"/>) that collates the rows of a
/// step into the tensors its network's <see cref="IMultiExitNetwork.Forward"/> reads; the
/// objectives see only (exits, batch, classes) logits and the labels.</para>
/// <para>Each step runs inside its own <c>torch.NewDisposeScope()</c>, so the memory of a step is
/// freed before the next. Evaluation runs in <c>eval()</c> mode under <c>no_grad</c>.</para>
/// <para>Determinism: before every step torch's generator is seeded from (seed, global step),
/// and every epoch's order is a <see cref="Core.Sampling.SeededShuffle"/> seeded from (seed, epoch); a training set's
/// augmentation draws from a generator seeded from (seed, global step) too. With the optimiser state
/// saved (TorchSharp's AdamW state: step count and both moments), a run stopped and resumed
/// reaches the same weights as an uninterrupted one, to the bit on the same machine — provided
/// nothing else in the process seeds or draws from torch's global generator while it trains
/// (TorchSharp's dropout cannot be given a generator of its own).</para>
/// <para>Checkpoints, when <see cref="TrainerOptions.OutputDirectory"/> is set: <c>best/</c>, a
/// <see cref="ModelCheckpoint"/> of the epoch with the best validation mean accuracy; <c>last/</c>,
/// a model checkpoint plus <c>optimizer.bin</c> and <c>trainer-state.json</c>, written after
/// every epoch, every <see cref="TrainerOptions.CheckpointEverySteps"/> steps and on stop.</para>
/// <para>A trainer changes its model's weights and <c>requires_grad</c> flags; one trainer
/// serves one run (the objective may be stateful).</para>
/// </remarks>
public sealed class MultiExitTrainer
{
    /// <summary>The subdirectory of the best epoch's checkpoint.</summary>
    public const string BestDirectoryName = "best";

    /// <summary>The subdirectory of the resume state.</summary>
    public const string ResumeDirectoryName = "last";

    /// <summary>The optimiser state file inside the resume directory (TorchSharp's own format).</summary>
    public const string OptimizerFileName = "optimizer.bin";

    /// <summary>The trainer state file inside the resume directory.</summary>
    public const string StateFileName = "trainer-state.json";

    private readonly IMultiExitNetwork _network;
    private readonly ITrainingObjective _objective;
    private readonly CheckpointMetadata _metadata;

    /// <summary>Creates a trainer of a text encoder.</summary>
    /// <param name="model">The model to train, in place.</param>
    /// <param name="objective">The loss.</param>
    /// <param name="options">Training options; null for the defaults.</param>
    /// <param name="labelNames">One name per class, saved in checkpoints.</param>
    /// <param name="tokenizer">The tokenizer settings to save in checkpoints, or null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or the objective does not fit the model or the epoch count.</exception>
    /// <exception cref="ArgumentException">The label names do not match the model's class count.</exception>
    public MultiExitTrainer(MultiExitEncoder model, ITrainingObjective objective, TrainerOptions? options,
        IReadOnlyList<string> labelNames, TokenizerSettings? tokenizer = null)
        : this(model, objective, options, Describe(model, labelNames, tokenizer))
    {
    }

    /// <summary>Creates a trainer of any multi-exit network.</summary>
    /// <param name="model">The model to train, in place: a <see cref="MultiExitEncoder"/> or a <see cref="Models.Vision.MultiExitVisionModel"/>.</param>
    /// <param name="objective">The loss.</param>
    /// <param name="options">Training options; null for the defaults.</param>
    /// <param name="metadata">What checkpoints store beside the weights: the model's kind and config, label names, tokenizer.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or the objective does not fit the model or the epoch count.</exception>
    /// <exception cref="ArgumentException">The metadata does not describe the model, or its label names do not match the classes.</exception>
    public MultiExitTrainer(IMultiExitNetwork model, ITrainingObjective objective, TrainerOptions? options, CheckpointMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(metadata);
        options ??= new TrainerOptions();
        options.Validate();
        objective.Validate(model.ExitCount, options.Epochs);
        if (metadata.LabelNames is null || metadata.LabelNames.Count != model.ClassCount)
            throw new ArgumentException($"metadata.LabelNames must have one name per class ({model.ClassCount}); got {metadata.LabelNames?.Count ?? 0}", nameof(metadata));
        _network = model;
        _objective = objective;
        Options = options;
        _metadata = metadata;
    }

    /// <summary>The options in force.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Trains a text encoder from its current weights on tokenized examples (<see cref="TokenTrainingSet"/>).</summary>
    /// <param name="train">Training examples; at least one.</param>
    /// <param name="validation">Validation examples for model selection, or null (then no <c>best/</c>).</param>
    /// <param name="progress">Receives a report after every step and every validation, synchronously on the training thread.</param>
    /// <param name="cancellationToken">Stops after the current step; the resume state is written and the result says <see cref="TrainingResult.Completed"/> false.</param>
    /// <exception cref="ArgumentException">No training examples, a label outside the classes, or an example longer than the model's positions.</exception>
    /// <exception cref="InvalidOperationException">The trainer's model is not a text encoder.</exception>
    public TrainingResult Train(IReadOnlyList<TrainingExample> train, IReadOnlyList<TrainingExample>? validation = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Run(Tokens(train, nameof(train))!, Tokens(validation, nameof(validation)), progress, cancellationToken, resumeDirectory: null);

    /// <summary>Trains from the model's current weights.</summary>
    /// <param name="train">Training examples collated for the model; at least one.</param>
    /// <param name="validation">Validation examples for model selection, or null (then no <c>best/</c>); never augmented.</param>
    /// <param name="progress">Receives a report after every step and every validation, synchronously on the training thread.</param>
    /// <param name="cancellationToken">Stops after the current step; the resume state is written and the result says <see cref="TrainingResult.Completed"/> false.</param>
    public TrainingResult Train(ITrainingSet train, ITrainingSet? validation = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Run(train, validation, progress, cancellationToken, resumeDirectory: null);

    /// <summary>
    /// Continues a run from the resume state in <paramref name="resumeDirectory"/> (a <c>last/</c>
    /// directory): weights, optimiser state, objective state, epoch and step. The trainer's
    /// objective and options must be the stopped run's, and so must the training examples.
    /// </summary>
    /// <param name="resumeDirectory">A <c>last/</c> directory written by a previous run.</param>
    /// <param name="train">The same training examples, in the same order.</param>
    /// <param name="validation">Validation examples, or null.</param>
    /// <param name="progress">As for <see cref="Train(ITrainingSet, ITrainingSet?, IProgress{TrainingProgress}?, CancellationToken)"/>.</param>
    /// <param name="cancellationToken">As for <see cref="Train(ITrainingSet, ITrainingSet?, IProgress{TrainingProgress}?, CancellationToken)"/>.</param>
    /// <exception cref="FileNotFoundException">A resume file is missing.</exception>
    /// <exception cref="InvalidDataException">The state is malformed or belongs to another run (objective, seed, epochs, batch size, freezing or number of examples differ); the message names the field.</exception>
    public TrainingResult Resume(string resumeDirectory, IReadOnlyList<TrainingExample> train, IReadOnlyList<TrainingExample>? validation = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resumeDirectory);
        return Run(Tokens(train, nameof(train))!, Tokens(validation, nameof(validation)), progress, cancellationToken, resumeDirectory);
    }

    /// <summary>
    /// Continues a run from the resume state in <paramref name="resumeDirectory"/>, as
    /// <see cref="Resume(string, IReadOnlyList{TrainingExample}, IReadOnlyList{TrainingExample}?, IProgress{TrainingProgress}?, CancellationToken)"/>
    /// does, on any training set.
    /// </summary>
    /// <param name="resumeDirectory">A <c>last/</c> directory written by a previous run.</param>
    /// <param name="train">The same training examples, in the same order.</param>
    /// <param name="validation">Validation examples, or null.</param>
    /// <param name="progress">As for <see cref="Train(ITrainingSet, ITrainingSet?, IProgress{TrainingProgress}?, CancellationToken)"/>.</param>
    /// <param name="cancellationToken">As for <see cref="Train(ITrainingSet, ITrainingSet?, IProgress{TrainingProgress}?, CancellationToken)"/>.</param>
    /// <exception cref="FileNotFoundException">A resume file is missing.</exception>
    /// <exception cref="InvalidDataException">The state is malformed or belongs to another run; the message names the field.</exception>
    public TrainingResult Resume(string resumeDirectory, ITrainingSet train, ITrainingSet? validation = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resumeDirectory);
        return Run(train, validation, progress, cancellationToken, resumeDirectory);
    }

    /// <summary>Every exit's accuracy and mean cross-entropy on tokenized <paramref name="examples"/> (eval mode, no gradients).</summary>
    /// <exception cref="ArgumentException">No examples, or an invalid one.</exception>
    /// <exception cref="InvalidOperationException">The trainer's model is not a text encoder.</exception>
    public ValidationResult Evaluate(IReadOnlyList<TrainingExample> examples) => Evaluate(Tokens(examples, nameof(examples))!);

    /// <summary>Every exit's accuracy and mean cross-entropy on <paramref name="examples"/> (eval mode, no gradients, no augmentation).</summary>
    /// <param name="examples">Examples collated for the model.</param>
    public ValidationResult Evaluate(ITrainingSet examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        return ExitEvaluator.Evaluate(_network, examples, Options.EvaluationBatchSize, ExitEvaluator.MeasureFor(_objective, examples));
    }

    private TrainingResult Run(ITrainingSet train, ITrainingSet? validation,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, string? resumeDirectory)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0) throw new ArgumentException("train must hold at least one example; got none", nameof(train));
        // Refused before the first step: a label-needing loss would read NoLabel (−1) as a class index.
        if (_objective.NeedsLabels && (!train.IsLabelled || validation is { IsLabelled: false }))
            throw new ArgumentException(
                $"the {(train.IsLabelled ? "validation" : "training")} examples include some without a label; objective {_objective.Name} needs labels (a label-free one, such as self-distill, does not)",
                train.IsLabelled ? nameof(validation) : nameof(train));
        return new TrainingRun(_network, _objective, Options, _metadata, train, validation).Run(resumeDirectory, progress, cancellationToken);
    }

    /// <summary>Tokenized examples as a training set for the trainer's text encoder; null stays null.</summary>
    private TokenTrainingSet? Tokens(IReadOnlyList<TrainingExample>? examples, string name)
    {
        if (examples is null) return null;
        if (_network is not MultiExitEncoder encoder)
            throw new InvalidOperationException($"tokenized examples train a text encoder; this trainer's model is a {_network.GetType().Name}: pass an ITrainingSet for it");
        return new TokenTrainingSet(examples, encoder.Config, name);
    }

    private static CheckpointMetadata Describe(MultiExitEncoder model, IReadOnlyList<string> labelNames, TokenizerSettings? tokenizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(labelNames);
        if (labelNames.Count != model.Config.ClassCount)
            throw new ArgumentException($"labelNames must have one name per class ({model.Config.ClassCount}); got {labelNames.Count}", nameof(labelNames));
        return new CheckpointMetadata { Config = model.Config, LabelNames = [.. labelNames], Tokenizer = tokenizer };
    }
}
