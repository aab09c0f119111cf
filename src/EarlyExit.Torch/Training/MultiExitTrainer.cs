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
/// Trains a <see cref="MultiExitEncoder"/> with one of the objectives of ALGORITHMS §3: AdamW
/// with linear warm-up and decay, gradient clipping, seeded shuffling and dropout, validation
/// after every epoch with the best checkpoint kept, progress reports, stop and resume.
/// </summary>
/// <remarks>
/// <para>Each step runs inside its own <c>torch.NewDisposeScope()</c>, so the memory of a step is
/// freed before the next. Evaluation runs in <c>eval()</c> mode under <c>no_grad</c>.</para>
/// <para>Determinism: before every step torch's generator is seeded from (seed, global step),
/// and every epoch's order is a permutation seeded from (seed, epoch). With the optimiser state
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

    private readonly MultiExitEncoder _model;
    private readonly ITrainingObjective _objective;
    private readonly CheckpointMetadata _metadata;

    private readonly HashSet<AdamW.ParamGroup> _headGroups = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates a trainer.</summary>
    /// <param name="model">The model to train, in place.</param>
    /// <param name="objective">The loss.</param>
    /// <param name="options">Training options; null for the defaults.</param>
    /// <param name="labelNames">One name per class, saved in checkpoints.</param>
    /// <param name="tokenizer">The tokenizer settings to save in checkpoints, or null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or the objective does not fit the model or the epoch count.</exception>
    /// <exception cref="ArgumentException">The label names do not match the model's class count.</exception>
    public MultiExitTrainer(MultiExitEncoder model, ITrainingObjective objective, TrainerOptions? options,
        IReadOnlyList<string> labelNames, TokenizerSettings? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(labelNames);
        options ??= new TrainerOptions();
        options.Validate();
        objective.Validate(model.LayerCount, options.Epochs);
        if (labelNames.Count != model.Config.ClassCount)
            throw new ArgumentException($"labelNames must have one name per class ({model.Config.ClassCount}); got {labelNames.Count}", nameof(labelNames));
        _model = model;
        _objective = objective;
        Options = options;
        _metadata = new CheckpointMetadata { Config = model.Config, LabelNames = [.. labelNames], Tokenizer = tokenizer };
    }

    /// <summary>The options in force.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Trains from the model's current weights.</summary>
    /// <param name="train">Training examples; at least one.</param>
    /// <param name="validation">Validation examples for model selection, or null (then no <c>best/</c>).</param>
    /// <param name="progress">Receives a report after every step and every validation, synchronously on the training thread.</param>
    /// <param name="cancellationToken">Stops after the current step; the resume state is written and the result says <see cref="TrainingResult.Completed"/> false.</param>
    /// <exception cref="ArgumentException">No training examples, a label outside the classes, or an example longer than the model's positions.</exception>
    public TrainingResult Train(IReadOnlyList<TrainingExample> train, IReadOnlyList<TrainingExample>? validation = null,
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
    /// <param name="progress">As for <see cref="Train"/>.</param>
    /// <param name="cancellationToken">As for <see cref="Train"/>.</param>
    /// <exception cref="FileNotFoundException">A resume file is missing.</exception>
    /// <exception cref="InvalidDataException">The state is malformed or belongs to another run (objective, seed, epochs, batch size, freezing or number of examples differ); the message names the field.</exception>
    public TrainingResult Resume(string resumeDirectory, IReadOnlyList<TrainingExample> train, IReadOnlyList<TrainingExample>? validation = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resumeDirectory);
        return Run(train, validation, progress, cancellationToken, resumeDirectory);
    }

    /// <summary>Every exit's accuracy and mean cross-entropy on <paramref name="examples"/> (eval mode, no gradients).</summary>
    /// <exception cref="ArgumentException">No examples, or an invalid one.</exception>
    public ValidationResult Evaluate(IReadOnlyList<TrainingExample> examples)
    {
        CheckExamples(examples, nameof(examples));
        int exitCount = _model.LayerCount;
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
                using var batch = Batch.Collate(examples, order.AsSpan(start, count));
                Tensor logits = _model.call(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask); // (exits, batch, classes)
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

    private TrainingResult Run(IReadOnlyList<TrainingExample> train, IReadOnlyList<TrainingExample>? validation,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, string? resumeDirectory)
    {
        CheckExamples(train, nameof(train));
        if (validation is not null) CheckExamples(validation, nameof(validation));

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
                    if (bestDirectory is not null) ModelCheckpoint.Save(_model, _metadata, bestDirectory);
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
    private double TrainStep(AdamW optimizer, List<Parameter> trainable, IReadOnlyList<TrainingExample> train,
        ReadOnlySpan<int> rows, double learningRate, TrainingStep step)
    {
        using var scope = NewDisposeScope();
        manual_seed(StepSeed(Options.Seed, step.Step));
        // learningRate is the backbone's scheduled rate; heads keep their peak ratio to it.
        double headScale = (Options.HeadLearningRate ?? Options.LearningRate) / Options.LearningRate;
        foreach (var group in optimizer.ParamGroups)
            group.LearningRate = _headGroups.Contains(group) ? learningRate * headScale : learningRate;
        using var batch = Batch.Collate(train, rows);
        optimizer.zero_grad();
        Tensor logits = _model.call(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask); // (exits, batch, classes)
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
        int last = _model.LayerCount - 1;
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
            bool undecayed = name.EndsWith(".bias", StringComparison.Ordinal) || name.Contains("LayerNorm", StringComparison.Ordinal);
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

    private void CheckExamples(IReadOnlyList<TrainingExample> examples, string name)
    {
        ArgumentNullException.ThrowIfNull(examples, name);
        if (examples.Count == 0)
            throw new ArgumentException($"{name} must hold at least one example; got none", name);
        int classes = _model.Config.ClassCount, positions = _model.Config.MaxPositions, vocabulary = _model.Config.VocabularySize;
        for (int i = 0; i < examples.Count; i++)
        {
            TrainingExample e = examples[i] ?? throw new ArgumentException($"{name}[{i}] is null", name);
            if (e.Label >= classes)
                throw new ArgumentException($"{name}[{i}] has label {e.Label}; the model has {classes} classes (0 to {classes - 1})", name);
            if (e.Length > positions)
                throw new ArgumentException($"{name}[{i}] has {e.Length} tokens; the model has {positions} positions", name);
            foreach (long id in e.InputIds)
            {
                if ((ulong)id >= (ulong)vocabulary)
                    throw new ArgumentException($"{name}[{i}] has token id {id}; the vocabulary has {vocabulary} ids", name);
            }
        }
    }

    private void SaveResume(string? directory, AdamW optimizer, int trainingExamples, int epoch, int stepInEpoch, long globalStep,
        int stageStart, double bestAccuracy, int? bestEpoch)
    {
        if (directory is null) return;
        ModelCheckpoint.Save(_model, _metadata, directory);
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

        LoadedCheckpoint loaded = ModelCheckpoint.Load(directory);
        using (loaded.Model)
        {
            if (loaded.Metadata.Config != _model.Config)
                throw new InvalidDataException($"{directory} holds a model with config {loaded.Metadata.Config}; the trainer's model has {_model.Config}");
            using var noGrad = no_grad();
            _model.load_state_dict(loaded.Model.state_dict(), strict: true);
        }
        if (state.ObjectiveState is not null) _objective.RestoreState(state.ObjectiveState);
        return state;
    }

    private static void Same<T>(string path, string field, T saved, T current)
    {
        if (!EqualityComparer<T>.Default.Equals(saved, current))
            throw new InvalidDataException($"{path} belongs to another run: its {field} is {saved}, this run's is {current}");
    }


    /// <summary>A padded batch on the CPU: ids, segment ids and mask (batch, seq) int64, labels (batch) int64.</summary>
    private sealed class Batch : IDisposable
    {
        private Batch(Tensor inputIds, Tensor tokenTypeIds, Tensor attentionMask, Tensor labels)
        {
            InputIds = inputIds;
            TokenTypeIds = tokenTypeIds;
            AttentionMask = attentionMask;
            Labels = labels;
        }

        public Tensor InputIds { get; }
        public Tensor TokenTypeIds { get; }
        public Tensor AttentionMask { get; }
        public Tensor Labels { get; }

        /// <summary>Pads the rows to the longest with id 0 and mask 0 (the mask hides padding, so the id only has to exist).</summary>
        public static Batch Collate(IReadOnlyList<TrainingExample> examples, ReadOnlySpan<int> rows)
        {
            int width = 0;
            foreach (int r in rows) width = Math.Max(width, examples[r].Length);
            var ids = new long[rows.Length * width];
            var types = new long[rows.Length * width];
            var mask = new long[rows.Length * width];
            var labels = new long[rows.Length];
            for (int i = 0; i < rows.Length; i++)
            {
                TrainingExample e = examples[rows[i]];
                e.InputIds.CopyTo(ids, i * width);
                e.TokenTypeIds?.CopyTo(types, i * width);
                mask.AsSpan(i * width, e.Length).Fill(1);
                labels[i] = e.Label;
            }
            long[] shape = [rows.Length, width];
            return new Batch(tensor(ids, shape), tensor(types, shape), tensor(mask, shape), tensor(labels));
        }

        public void Dispose()
        {
            InputIds.Dispose();
            TokenTypeIds.Dispose();
            AttentionMask.Dispose();
            Labels.Dispose();
        }
    }
}
