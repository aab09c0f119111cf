using System.Diagnostics;
using EarlyExit.Core.IO;
using EarlyExit.Core.Sampling;
using EarlyExit.Torch.Checkpoints;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Training;

/// <summary>
/// The training loop of <see cref="MultiExitTrainer"/>, one run of it from the start or from a
/// resume point: epochs in a seeded order, one optimisation step per batch, and after each epoch
/// validation, the best checkpoint and the resume state.
/// </summary>
/// <remarks>
/// <para>Stages: consecutive epochs of one <see cref="TrainingPhase"/> share one
/// <see cref="ParameterGroups"/> (freezing and optimiser) and one warm-up and decay schedule.</para>
/// <para>Determinism: torch's generator is seeded from (seed, global step) before every step, and a
/// training set's augmentation draws from the same step seed; an epoch's order is a
/// <see cref="SeededShuffle"/> seeded from (seed, epoch). A resumed run therefore takes the steps
/// the uninterrupted one would have.</para>
/// <para>One instance serves one call of <see cref="Run"/>.</para>
/// </remarks>
internal sealed class TrainingRun
{
    private readonly IMultiExitNetwork _network;
    private readonly ITrainingObjective _objective;
    private readonly TrainerOptions _options;
    private readonly CheckpointMetadata _metadata;
    private readonly ResumeState _resume;
    private readonly ITrainingSet _train;
    private readonly ITrainingSet? _validation;
    private readonly string? _bestDirectory;
    private readonly string? _lastDirectory;
    private readonly int _stepsPerEpoch;
    private readonly long _totalSteps;
    private readonly List<EpochResult> _results = [];

    // Where the run stands: steps taken, the best epoch so far, the stage its optimiser serves.
    private long _globalStep;
    private double _bestAccuracy = double.NegativeInfinity;
    private int? _bestEpoch;
    private int _stageStart = -1;
    private ParameterGroups? _groups;

    // What the current stage trains through: the network and its sets, or, while the backbone is
    // frozen, the head-input caches standing in for both (docs/algorithms.md §3.6).
    private IMultiExitNetwork _active;
    private ITrainingSet _activeTrain;
    private ITrainingSet? _activeValidation;
    private HeadInputCache? _trainCache;
    private HeadInputCache? _validationCache;

    // The current epoch's steps so far, kept with the resume state so a resumed epoch's mean loss covers them all.
    private PartialEpoch _partial;

    // The state a resumed run started from: its optimiser state belongs to the stage it stopped in.
    private ResumePoint? _resumed;
    private string? _resumeDirectory;

    /// <summary>Prepares a run over <paramref name="train"/>, which holds at least one example.</summary>
    internal TrainingRun(IMultiExitNetwork network, ITrainingObjective objective, TrainerOptions options, CheckpointMetadata metadata,
        ITrainingSet train, ITrainingSet? validation)
    {
        _network = network;
        _objective = objective;
        _options = options;
        _metadata = metadata;
        _resume = new ResumeState(network, metadata, objective, options);
        _train = train;
        _validation = validation;
        (_active, _activeTrain, _activeValidation) = (network, train, validation);
        _bestDirectory = options.OutputDirectory is null ? null : Path.Combine(options.OutputDirectory, MultiExitTrainer.BestDirectoryName);
        _lastDirectory = options.OutputDirectory is null ? null : Path.Combine(options.OutputDirectory, MultiExitTrainer.ResumeDirectoryName);
        _stepsPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        _totalSteps = (long)options.Epochs * _stepsPerEpoch;
    }

    /// <summary>Runs to the last epoch or until <paramref name="cancellationToken"/> stops it after a step.</summary>
    /// <param name="resumeDirectory">A <c>last/</c> directory to go on from, or null to start afresh.</param>
    /// <param name="progress">Receives a report after every step and every validation.</param>
    /// <param name="cancellationToken">Stops after the current step, with the resume state written.</param>
    internal TrainingResult Run(string? resumeDirectory, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        int startEpoch = 0, startStep = 0;
        if (resumeDirectory is not null)
        {
            ResumePoint resumed = _resume.Load(resumeDirectory, _train.Count);
            (startEpoch, startStep, _globalStep) = (resumed.Epoch, resumed.StepInEpoch, resumed.GlobalStep);
            _bestAccuracy = resumed.BestMeanAccuracy ?? double.NegativeInfinity;
            _bestEpoch = resumed.BestEpoch;
            _partial = resumed.Partial;
            _results.AddRange(resumed.Finished);
            (_resumed, _resumeDirectory) = (resumed, resumeDirectory);
        }
        try
        {
            for (int epoch = startEpoch; epoch < _options.Epochs; epoch++)
            {
                if (!RunEpoch(epoch, epoch == startEpoch ? startStep : 0, progress, cancellationToken))
                    return Result(completed: false);
            }
        }
        finally
        {
            _groups?.Dispose();
            DropCaches();
        }
        return Result(completed: true);
    }

    /// <summary>Runs an epoch's steps from <paramref name="firstStep"/>, then ends the epoch; false when stopped (the resume state is written).</summary>
    private bool RunEpoch(int epoch, int firstStep, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        int epochs = _options.Epochs;
        TrainingPhase phase = _objective.PhaseOf(epoch, epochs);
        (int stageStart, int stageEnd) = StageOf(epoch);
        // Started before the stage is entered: a stage's first epoch pays for building its head-input cache.
        var clock = Stopwatch.StartNew();
        EnterStage(stageStart, phase);
        long stageSteps = (long)(stageEnd - stageStart) * _stepsPerEpoch;
        long warmup = LearningRateSchedule.WarmupSteps(stageSteps, _options.WarmupFraction);
        int[] order = Permutation(_train.Count, _options.Seed, epoch);

        _network.Module.train();
        // A resumed epoch goes on from the stopped run's sums; any other starts from nothing.
        PartialEpoch before = firstStep > 0 ? _partial : default;
        double lossSum = before.LossSum;
        int stepsRun = before.Steps, examplesRun = before.Examples;
        for (int step = firstStep; step < _stepsPerEpoch; step++)
        {
            _partial = new PartialEpoch(lossSum, stepsRun, examplesRun, before.Seconds + clock.Elapsed.TotalSeconds);
            if (cancellationToken.IsCancellationRequested)
            {
                SaveResume(epoch, step);
                return false;
            }

            int start = step * _options.BatchSize;
            int count = Math.Min(_options.BatchSize, _train.Count - start);
            long stageStep = (long)(epoch - stageStart) * _stepsPerEpoch + step;
            double learningRate = _options.LearningRate * LearningRateSchedule.Factor(stageStep, stageSteps, warmup);
            double loss = TrainStep(order.AsSpan(start, count), learningRate, new TrainingStep(epoch, _globalStep + 1, _totalSteps, phase));
            _globalStep++;
            lossSum += loss;
            stepsRun++;
            examplesRun += count;
            progress?.Report(new TrainingProgress(epoch, epochs, step + 1, _stepsPerEpoch, _globalStep, _totalSteps, phase,
                loss, lossSum / stepsRun, (examplesRun - before.Examples) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), learningRate));

            _partial = new PartialEpoch(lossSum, stepsRun, examplesRun, before.Seconds + clock.Elapsed.TotalSeconds);
            if (_options.CheckpointEverySteps > 0 && _globalStep % _options.CheckpointEverySteps == 0 && step + 1 < _stepsPerEpoch)
                SaveResume(epoch, step + 1);
        }
        double seconds = before.Seconds + clock.Elapsed.TotalSeconds;
        _partial = default;
        _objective.EndEpoch();
        EndEpoch(epoch, phase, stepsRun == 0 ? double.NaN : lossSum / stepsRun, seconds, (examplesRun - before.Examples) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), progress);
        return true;
    }

    /// <summary>At a stage's first epoch, and at a run's: this stage's freezing and a fresh optimiser, given the stopped run's state when it stopped inside this stage.</summary>
    private void EnterStage(int stageStart, TrainingPhase phase)
    {
        if (stageStart == _stageStart) return;
        _groups?.Dispose();
        _groups = null; // should the next fail to build, finally must not dispose this one again
        _groups = new ParameterGroups(_network, phase, _options);
        _stageStart = stageStart;
        // Built after the previous stage's steps (which may have trained the backbone), kept while it stays frozen.
        bool cache = _options.CacheHeadInputs && _network is IHeadInputNetwork && !ParameterGroups.TrainsBackbone(phase, _options);
        if (cache && _trainCache is null)
        {
            var network = (IHeadInputNetwork)_network;
            _trainCache = HeadInputCache.Build(network, _train, _options.EvaluationBatchSize);
            _validationCache = _validation is null ? null : HeadInputCache.Build(network, _validation, _options.EvaluationBatchSize);
            (_active, _activeTrain, _activeValidation) = (_trainCache, _trainCache, _validationCache);
        }
        else if (!cache)
        {
            DropCaches();
        }
        if (_resumed?.OptimizerStageStart == stageStart)
            ResumeState.LoadOptimizer(_resumeDirectory!, _groups.Optimizer);
    }

    /// <summary>One optimisation step in its own dispose scope; returns the loss.</summary>
    private double TrainStep(ReadOnlySpan<int> rows, double learningRate, TrainingStep step)
    {
        using var scope = NewDisposeScope();
        long stepSeed = StepSeed(_options.Seed, step.Step);
        manual_seed(stepSeed);
        _groups!.SetLearningRate(learningRate);
        using TrainingBatch batch = _activeTrain.Collate(rows, stepSeed);
        _groups.Optimizer.zero_grad();
        Tensor logits = _active.Forward(batch); // (exits, batch, classes)
        Tensor loss = _objective.Loss(logits, batch.Labels, step);
        loss.backward();
        _groups.Step();
        return loss.item<float>();
    }

    /// <summary>Validates, keeps the best checkpoint, records the epoch and writes the resume state for the next.</summary>
    private void EndEpoch(int epoch, TrainingPhase phase, double meanLoss, double seconds, double examplesPerSecond, IProgress<TrainingProgress>? progress)
    {
        ValidationResult? validation = _activeValidation is null ? null
            : ExitEvaluator.Evaluate(_active, _activeValidation, _options.EvaluationBatchSize, ExitEvaluator.MeasureFor(_objective, _activeValidation));
        bool isBest = validation is not null && validation.MeanAccuracy > _bestAccuracy;
        if (isBest)
        {
            _bestAccuracy = validation!.MeanAccuracy;
            _bestEpoch = epoch;
            if (_bestDirectory is not null) AtomicDirectory.Replace(_bestDirectory, fresh => ModelCheckpoint.Save(_network, _metadata, fresh));
        }
        _results.Add(new EpochResult(epoch, phase, meanLoss, validation, isBest, seconds));
        SaveResume(epoch + 1, 0);
        if (validation is not null)
            progress?.Report(new TrainingProgress(epoch, _options.Epochs, _stepsPerEpoch, _stepsPerEpoch, _globalStep, _totalSteps, phase,
                double.NaN, meanLoss, examplesPerSecond, double.NaN, validation));
    }

    private void SaveResume(int epoch, int stepInEpoch)
    {
        if (_lastDirectory is null) return;
        _resume.Save(_lastDirectory, _groups!.Optimizer, _train.Count, new ResumePoint(epoch, stepInEpoch, _globalStep, _stageStart,
            double.IsFinite(_bestAccuracy) ? _bestAccuracy : null, _bestEpoch, _partial, _results));
    }

    private void DropCaches()
    {
        _trainCache?.Dispose();
        _validationCache?.Dispose();
        (_trainCache, _validationCache) = (null, null);
        (_active, _activeTrain, _activeValidation) = (_network, _train, _validation);
    }

    private TrainingResult Result(bool completed) =>
        new(completed, _globalStep, _results, _bestEpoch, _bestEpoch is null ? null : _bestDirectory, _lastDirectory);

    /// <summary>The epochs [start, end) of the stage, the run of epochs in one phase, that holds <paramref name="epoch"/>.</summary>
    private (int Start, int End) StageOf(int epoch)
    {
        int epochs = _options.Epochs;
        TrainingPhase phase = _objective.PhaseOf(epoch, epochs);
        int start = epoch, end = epoch;
        while (start > 0 && _objective.PhaseOf(start - 1, epochs) == phase) start--;
        while (end < epochs && _objective.PhaseOf(end, epochs) == phase) end++;
        return (start, end);
    }

    /// <summary>Epoch <paramref name="epoch"/>'s order of the examples: the same on every run and resume.</summary>
    internal static int[] Permutation(int count, int seed, int epoch) =>
        SeededShuffle.Permutation(count, (ulong)StepSeed(seed, -1 - epoch));

    /// <summary>
    /// SplitMix64's first output from the state seed · 2³² + step: well-spread, non-negative
    /// seeds for neighbouring steps. Steps count from 1; the epochs' orders take the negative ones.
    /// </summary>
    internal static long StepSeed(int seed, long step) =>
        unchecked((long)(new SplitMix64(((ulong)(uint)seed << 32) + (ulong)step).Next() & long.MaxValue));
}
