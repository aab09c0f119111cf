using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;
using EarlyExit.Core.IO;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Training;

/// <summary>
/// Trains a multi-exit model — a <see cref="MultiExitEncoder"/> on text or a
/// <see cref="Models.Vision.MultiExitVisionModel"/> on images, any <see cref="IMultiExitNetwork"/> —
/// with one of the objectives of ALGORITHMS §3: AdamW with linear warm-up and decay, gradient
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
/// and every epoch's order is a permutation seeded from (seed, epoch); a training set's
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

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly IMultiExitNetwork _network;
    private readonly nn.Module _model;
    private readonly ITrainingObjective _objective;
    private readonly CheckpointMetadata _metadata;

    private readonly HashSet<AdamW.ParamGroup> _headGroups = new(ReferenceEqualityComparer.Instance);

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
        _model = model.Module;
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
        int exitCount = _network.ExitCount;
        var correct = new long[exitCount];
        var lossSum = new double[exitCount];
        bool wasTraining = _model.training;
        _model.eval();
        try
        {
            using var noGrad = no_grad();
            int[] order = [.. Enumerable.Range(0, examples.Count)];
            for (int start = 0; start < examples.Count; start += Options.EvaluationBatchSize)
            {
                using var scope = NewDisposeScope();
                int count = Math.Min(Options.EvaluationBatchSize, examples.Count - start);
                using TrainingBatch batch = examples.Collate(order.AsSpan(start, count), augmentationSeed: null);
                Tensor logits = _network.Forward(batch); // (exits, batch, classes)
                float[] ce = ExitLosses.PerSample(logits, batch.Labels).sum(1).to_type(ScalarType.Float32).data<float>().ToArray();
                long[] hits = logits.argmax(-1).eq(batch.Labels.unsqueeze(0)).sum(1).data<long>().ToArray();
                for (int m = 0; m < exitCount; m++)
                {
                    correct[m] += hits[m];
                    lossSum[m] += ce[m];
                }
            }
        }
        finally
        {
            if (wasTraining) _model.train();
        }
        return new ValidationResult(examples.Count,
            [.. correct.Select(c => (double)c / examples.Count)],
            [.. lossSum.Select(s => s / examples.Count)]);
    }

    private TrainingResult Run(ITrainingSet train, ITrainingSet? validation,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, string? resumeDirectory)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0) throw new ArgumentException("train must hold at least one example; got none", nameof(train));

        int epochs = Options.Epochs;
        int stepsPerEpoch = (train.Count + Options.BatchSize - 1) / Options.BatchSize;
        long totalSteps = (long)epochs * stepsPerEpoch;
        string? bestDirectory = Options.OutputDirectory is null ? null : Path.Combine(Options.OutputDirectory, BestDirectoryName);
        string? lastDirectory = Options.OutputDirectory is null ? null : Path.Combine(Options.OutputDirectory, ResumeDirectoryName);

        int startEpoch = 0, startStep = 0;
        long globalStep = 0;
        double bestAccuracy = double.NegativeInfinity;
        int? bestEpoch = null;
        TrainerState? resumed = null;
        if (resumeDirectory is not null)
        {
            resumed = LoadResumeState(resumeDirectory, train.Count);
            startEpoch = resumed.Epoch;
            startStep = resumed.StepInEpoch;
            globalStep = resumed.GlobalStep;
            bestAccuracy = resumed.BestMeanAccuracy ?? double.NegativeInfinity;
            bestEpoch = resumed.BestEpoch;
        }

        var results = new List<EpochResult>();
        AdamW? optimizer = null;
        List<Parameter> trainable = [];
        int stageStart = -1;
        try
        {
            for (int epoch = startEpoch; epoch < epochs; epoch++)
            {
                TrainingPhase phase = _objective.PhaseOf(epoch, epochs);
                int thisStageStart = StageStart(epoch, epochs);
                if (thisStageStart != stageStart)
                {
                    optimizer?.Dispose();
                    trainable = SetTrainable(phase);
                    optimizer = CreateOptimizer();
                    stageStart = thisStageStart;
                    if (resumed is not null && resumed.OptimizerStageStart == stageStart && resumeDirectory is not null)
                    {
                        using var reader = new BinaryReader(File.OpenRead(Path.Combine(resumeDirectory, OptimizerFileName)));
                        optimizer.load_state_dict(reader);
                    }
                }
                long stageSteps = (long)(StageEnd(epoch, epochs) - stageStart) * stepsPerEpoch;
                long warmup = LearningRateSchedule.WarmupSteps(stageSteps, Options.WarmupFraction);
                int[] order = Permutation(train.Count, Options.Seed, epoch);

                _model.train();
                var clock = Stopwatch.StartNew();
                double lossSum = 0;
                int stepsRun = 0, examplesRun = 0;
                for (int step = epoch == startEpoch ? startStep : 0; step < stepsPerEpoch; step++)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        SaveResume(lastDirectory, optimizer!, train.Count, epoch, step, globalStep, stageStart, bestAccuracy, bestEpoch);
                        return new TrainingResult(false, globalStep, results, bestEpoch, bestEpoch is null ? null : bestDirectory, lastDirectory);
                    }

                    int start = step * Options.BatchSize;
                    int count = Math.Min(Options.BatchSize, train.Count - start);
                    long stageStep = (long)(epoch - stageStart) * stepsPerEpoch + step;
                    double learningRate = Options.LearningRate * LearningRateSchedule.Factor(stageStep, stageSteps, warmup);
                    double loss = TrainStep(optimizer!, trainable, train, order.AsSpan(start, count), learningRate,
                        new TrainingStep(epoch, globalStep + 1, totalSteps, phase));
                    globalStep++;
                    lossSum += loss;
                    stepsRun++;
                    examplesRun += count;
                    progress?.Report(new TrainingProgress(epoch, epochs, step + 1, stepsPerEpoch, globalStep, totalSteps, phase,
                        loss, lossSum / stepsRun, examplesRun / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), learningRate));

                    if (Options.CheckpointEverySteps > 0 && globalStep % Options.CheckpointEverySteps == 0 && step + 1 < stepsPerEpoch)
                        SaveResume(lastDirectory, optimizer!, train.Count, epoch, step + 1, globalStep, stageStart, bestAccuracy, bestEpoch);
                }
                double seconds = clock.Elapsed.TotalSeconds;
                _objective.EndEpoch();

                ValidationResult? validationResult = validation is null ? null : Evaluate(validation);
                bool isBest = validationResult is not null && validationResult.MeanAccuracy > bestAccuracy;
                if (isBest)
                {
                    bestAccuracy = validationResult!.MeanAccuracy;
                    bestEpoch = epoch;
                    if (bestDirectory is not null) ModelCheckpoint.Save(_network, _metadata, bestDirectory);
                }
                results.Add(new EpochResult(epoch, phase, stepsRun == 0 ? double.NaN : lossSum / stepsRun, validationResult, isBest, seconds));
                SaveResume(lastDirectory, optimizer!, train.Count, epoch + 1, 0, globalStep, stageStart, bestAccuracy, bestEpoch);
                if (validationResult is not null)
                    progress?.Report(new TrainingProgress(epoch, epochs, stepsPerEpoch, stepsPerEpoch, globalStep, totalSteps, phase,
                        double.NaN, stepsRun == 0 ? double.NaN : lossSum / stepsRun, examplesRun / Math.Max(seconds, 1e-9), double.NaN, validationResult));
            }
        }
        finally
        {
            optimizer?.Dispose();
        }
        return new TrainingResult(true, globalStep, results, bestEpoch, bestEpoch is null ? null : bestDirectory, lastDirectory);
    }

    /// <summary>One optimisation step in its own dispose scope; returns the loss.</summary>
    private double TrainStep(AdamW optimizer, List<Parameter> trainable, ITrainingSet train,
        ReadOnlySpan<int> rows, double learningRate, TrainingStep step)
    {
        using var scope = NewDisposeScope();
        long stepSeed = StepSeed(Options.Seed, step.Step);
        manual_seed(stepSeed);
        // learningRate is the backbone's scheduled rate; heads keep their peak ratio to it.
        double headScale = (Options.HeadLearningRate ?? Options.LearningRate) / Options.LearningRate;
        foreach (var group in optimizer.ParamGroups)
            group.LearningRate = _headGroups.Contains(group) ? learningRate * headScale : learningRate;
        using TrainingBatch batch = train.Collate(rows, stepSeed);
        optimizer.zero_grad();
        Tensor logits = _network.Forward(batch); // (exits, batch, classes)
        Tensor loss = _objective.Loss(logits, batch.Labels, step);
        loss.backward();
        if (Options.MaxGradNorm > 0)
            nn.utils.clip_grad_norm_(trainable, Options.MaxGradNorm);
        optimizer.step();
        return loss.item<float>();
    }

    /// <summary>Sets requires_grad for a phase (and <see cref="TrainerOptions.FreezeBackbone"/>); returns the trainable parameters.</summary>
    private List<Parameter> SetTrainable(TrainingPhase phase)
    {
        var trainable = new List<Parameter>();
        int last = _network.ExitCount - 1;
        foreach (var (name, parameter) in _model.named_parameters())
        {
            int exit = ExitOf(name);
            bool train = phase switch
            {
                TrainingPhase.AllExits => exit >= 0 || !Options.FreezeBackbone,
                TrainingPhase.FinalExit => exit == last || (exit < 0 && !Options.FreezeBackbone),
                TrainingPhase.InternalExits => exit >= 0 && exit < last,
                _ => throw new InvalidOperationException($"unknown training phase {phase}"),
            };
            parameter.requires_grad = train;
            if (train) trainable.Add(parameter);
        }
        return trainable;
    }

    /// <summary>
    /// AdamW over the trainable parameters in up to four groups: backbone or exit heads (their
    /// own peak rate, <see cref="TrainerOptions.HeadLearningRate"/>) × decayed or not (biases,
    /// LayerNorm). The head groups are remembered so each step can scale their rate.
    /// </summary>
    private AdamW CreateOptimizer()
    {
        // [head ? 1 : 0, decayed ? 0 : 1]
        var split = new List<Parameter>[2, 2] { { [], [] }, { [], [] } };
        foreach (var (name, parameter) in _model.named_parameters())
        {
            if (!parameter.requires_grad) continue;
            // Biases and normalisation scales (the 1-D parameters: BERT's LayerNorm, a ViT's norms,
            // a CNN's BatchNorm) are not decayed, as BERT and Hugging Face do.
            bool undecayed = parameter.dim() < 2;
            split[ExitOf(name) >= 0 ? 1 : 0, undecayed ? 1 : 0].Add(parameter);
        }
        var groups = new List<AdamW.ParamGroup>();
        _headGroups.Clear();
        for (int head = 0; head < 2; head++)
        {
            double rate = head == 1 ? Options.HeadLearningRate ?? Options.LearningRate : Options.LearningRate;
            for (int undecayed = 0; undecayed < 2; undecayed++)
            {
                if (split[head, undecayed].Count == 0) continue;
                var group = new AdamW.ParamGroup(split[head, undecayed], rate, Options.Beta1, Options.Beta2, Options.AdamEpsilon,
                    undecayed == 1 ? 0.0 : Options.WeightDecay);
                groups.Add(group);
                if (head == 1) _headGroups.Add(group);
            }
        }
        return new AdamW(groups, Options.LearningRate, Options.Beta1, Options.Beta2, Options.AdamEpsilon, Options.WeightDecay);
    }

    /// <summary>0-based exit of an exit head's parameter ("exits.3.classifier.weight" → 3), or -1 for the backbone.</summary>
    private static int ExitOf(string name)
    {
        const string prefix = "exits.";
        if (!name.StartsWith(prefix, StringComparison.Ordinal)) return -1;
        int dot = name.IndexOf('.', prefix.Length);
        return int.Parse(name.AsSpan(prefix.Length, dot - prefix.Length), System.Globalization.CultureInfo.InvariantCulture);
    }

    private int StageStart(int epoch, int epochs)
    {
        TrainingPhase phase = _objective.PhaseOf(epoch, epochs);
        while (epoch > 0 && _objective.PhaseOf(epoch - 1, epochs) == phase) epoch--;
        return epoch;
    }

    private int StageEnd(int epoch, int epochs)
    {
        TrainingPhase phase = _objective.PhaseOf(epoch, epochs);
        while (epoch < epochs && _objective.PhaseOf(epoch, epochs) == phase) epoch++;
        return epoch;
    }

    /// <summary>Fisher–Yates with a generator seeded from (seed, epoch): the same order on every run and resume.</summary>
    internal static int[] Permutation(int count, int seed, int epoch)
    {
        var random = new Random((int)(StepSeed(seed, -1 - epoch) & int.MaxValue));
        int[] order = [.. Enumerable.Range(0, count)];
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>SplitMix64 of (seed, step): well-spread, non-negative seeds for neighbouring steps.</summary>
    internal static long StepSeed(int seed, long step)
    {
        unchecked
        {
            ulong z = ((ulong)(uint)seed << 32) + (ulong)step + 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (long)((z ^ (z >> 31)) & long.MaxValue);
        }
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

    private void SaveResume(string? directory, AdamW optimizer, int trainingExamples, int epoch, int stepInEpoch, long globalStep,
        int stageStart, double bestAccuracy, int? bestEpoch)
    {
        if (directory is null) return;
        ModelCheckpoint.Save(_network, _metadata, directory);
        AtomicFile.Write(Path.Combine(directory, OptimizerFileName), stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            optimizer.save_state_dict(writer);
        });
        var state = new TrainerState
        {
            Objective = _objective.Name,
            Seed = Options.Seed,
            Epochs = Options.Epochs,
            BatchSize = Options.BatchSize,
            TrainingExamples = trainingExamples,
            FreezeBackbone = Options.FreezeBackbone,
            Epoch = epoch,
            StepInEpoch = stepInEpoch,
            GlobalStep = globalStep,
            OptimizerStageStart = stageStart,
            BestMeanAccuracy = double.IsFinite(bestAccuracy) ? bestAccuracy : null,
            BestEpoch = bestEpoch,
            ObjectiveState = _objective.SaveState(),
        };
        AtomicFile.Write(Path.Combine(directory, StateFileName), stream => JsonSerializer.Serialize(stream, state, Json));
    }

    private TrainerState LoadResumeState(string directory, int trainingExamples)
    {
        string statePath = Path.Combine(directory, StateFileName);
        string optimizerPath = Path.Combine(directory, OptimizerFileName);
        if (!File.Exists(statePath)) throw new FileNotFoundException($"resume state {statePath} not found", statePath);
        if (!File.Exists(optimizerPath)) throw new FileNotFoundException($"optimizer state {optimizerPath} not found", optimizerPath);
        TrainerState? state;
        try
        {
            using FileStream stream = File.OpenRead(statePath);
            state = JsonSerializer.Deserialize<TrainerState>(stream, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{statePath} is not a valid trainer state: {e.Message}", e);
        }
        if (state is null) throw new InvalidDataException($"{statePath} is empty");
        if (state.FormatVersion != TrainerState.CurrentFormatVersion)
            throw new InvalidDataException($"{statePath} has format version {state.FormatVersion}; this code reads version {TrainerState.CurrentFormatVersion}");
        Same(statePath, "objective", state.Objective, _objective.Name);
        Same(statePath, "seed", state.Seed, Options.Seed);
        Same(statePath, "epochs", state.Epochs, Options.Epochs);
        Same(statePath, "batchSize", state.BatchSize, Options.BatchSize);
        Same(statePath, "freezeBackbone", state.FreezeBackbone, Options.FreezeBackbone);
        Same(statePath, "trainingExamples", state.TrainingExamples, trainingExamples);

        using (no_grad())
        {
            ModelCheckpoint.LoadWeights(_network, directory);
        }
        if (state.ObjectiveState is not null) _objective.RestoreState(state.ObjectiveState);
        return state;
    }

    private static void Same<T>(string path, string field, T saved, T current)
    {
        if (!EqualityComparer<T>.Default.Equals(saved, current))
            throw new InvalidDataException($"{path} belongs to another run: its {field} is {saved}, this run's is {current}");
    }
}
