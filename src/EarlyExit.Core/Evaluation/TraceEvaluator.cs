using System.Buffers;
using System.Collections.Immutable;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using EarlyExit.Core.Traces;

namespace EarlyExit.Core.Evaluation;

/// <summary>
/// Replays exit policies over an <see cref="ExitTrace"/> offline and measures them
/// (docs/algorithms.md §4). Build it once per trace: the signals of every exit and the per-exit
/// statistics are computed once, then every <see cref="Evaluate"/> or <see cref="Sweep"/> only
/// replays decisions.
/// </summary>
/// <remarks>
/// <para>The replay is <see cref="ExitReplay.ExitIndex"/>, the same loop the runtime's
/// layer-by-layer exit follows, over the precomputed signals: no allocation per sample.</para>
/// <para>Oracles (<see cref="ExitPolicy.IsDeployable"/> false) get each sample's
/// <see cref="SampleHindsight"/> (final-exit prediction and label); deployable policies get none,
/// so one that peeked would fail rather than look good.</para>
/// <para>Thread-safe: the evaluator is immutable after construction (the DIS table is built
/// lazily, once, under a lock).</para>
/// </remarks>
public sealed class TraceEvaluator
{
    // Samples per parallel chunk when one evaluation is split across cores.
    private const int ChunkSamples = 4096;

    private static readonly ExitSignal[] AllSignals = Enum.GetValues<ExitSignal>();

    private readonly SignalValues[] _signals; // (N, M) row-major
    private readonly bool[] _correct;         // (N, M) row-major: exit m's prediction equals the label
    private readonly int[] _rightThrough;     // (N, M) row-major: exits 0..m the sample gets right
    private readonly Lazy<double[]> _difficultyInversion; // (M, signals) row-major
    private readonly int[] _finalPredictions;  // (N): the final exit's prediction, what agreement compares with

    /// <summary>Computes every exit's signals and the per-exit statistics of <paramref name="trace"/>.</summary>
    /// <param name="trace">The trace to evaluate on.</param>
    /// <exception cref="ArgumentNullException"><paramref name="trace"/> is null.</exception>
    /// <exception cref="InvalidLogitsException">A NaN or infinite logit; names sample and exit.</exception>
    public TraceEvaluator(ExitTrace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        Trace = trace;
        _signals = trace.ComputeSignals();
        int samples = trace.SampleCount, exits = trace.ExitCount;
        ReadOnlySpan<int> labels = trace.Labels;
        _correct = new bool[_signals.Length];
        _finalPredictions = new int[samples];
        for (int n = 0; n < samples; n++) _finalPredictions[n] = _signals[(n * exits) + exits - 1].Prediction;
        var rightAtExit = new int[exits];
        var agreeAtExit = new int[exits];
        for (int n = 0; n < samples; n++)
        {
            for (int m = 0; m < exits; m++)
            {
                bool right = _signals[(n * exits) + m].Prediction == labels[n];
                _correct[(n * exits) + m] = right;
                if (right) rightAtExit[m]++;
                if (_signals[(n * exits) + m].Prediction == _finalPredictions[n]) agreeAtExit[m]++;
            }
        }
        _rightThrough = ExitDecisionRates.RightThrough(_correct, exits);
        // Per-exit accuracy: the accuracy of everyone leaving at exit m (static truncation).
        var exitAccuracies = new double[exits];
        for (int m = 0; m < exits; m++) exitAccuracies[m] = (double)rightAtExit[m] / samples;
        ExitAccuracies = ImmutableCollectionsMarshal.AsImmutableArray(exitAccuracies);
        // Per-exit agreement with the final exit (§4.8), likewise of static truncation at m.
        ExitAgreements = [.. agreeAtExit.Select(a => (double)a / samples)];
        _difficultyInversion = new Lazy<double[]>(ComputeDifficultyInversion, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The trace evaluated on.</summary>
    public ExitTrace Trace { get; }

    /// <summary>N, the number of samples.</summary>
    public int SampleCount => Trace.SampleCount;

    /// <summary>M, the number of exits.</summary>
    public int ExitCount => Trace.ExitCount;

    /// <summary>Agreement of each exit's predictions with the final exit's (docs/algorithms.md §4.8); the last is 1.</summary>
    public ImmutableArray<double> ExitAgreements { get; }

    /// <summary>The final exit's prediction for every sample: what agreement (and PCEE on agreement) compares with.</summary>
    public ReadOnlySpan<int> FinalPredictions => _finalPredictions;

    /// <summary>Every exit's signals, (N, M) row-major [sample][exit].</summary>
    public ReadOnlySpan<SignalValues> Signals => _signals;

    /// <summary>
    /// Whether each exit's prediction equals the label, (N, M) row-major [sample][exit].
    /// </summary>
    public ReadOnlySpan<bool> Correct => _correct;

    /// <summary>Accuracy of each exit on all N samples (every sample forced out there), length M.</summary>
    public ImmutableArray<double> ExitAccuracies { get; }

    /// <summary>
    /// The difficulty inversion score of <paramref name="signal"/> at <paramref name="exit"/>
    /// (<see cref="DifficultyInversionScore"/>), over all N samples. The whole M × 5 table is
    /// computed on the first call.
    /// </summary>
    /// <param name="exit">0-based exit index, in [0, M).</param>
    /// <param name="signal">The signal.</param>
    /// <returns>The AUROC in [0, 1], or NaN when the exit gets every sample right or every one wrong.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The exit or signal is out of range.</exception>
    public double DifficultyInversion(int exit, ExitSignal signal)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)exit, (uint)ExitCount, nameof(exit));
        int s = Array.IndexOf(AllSignals, signal);
        if (s < 0)
            throw new ArgumentOutOfRangeException(nameof(signal), signal, "unknown exit signal");
        return _difficultyInversion.Value[(exit * AllSignals.Length) + s];
    }

    /// <summary>Replays <paramref name="policy"/> over every sample and measures the result.</summary>
    /// <param name="policy">Any policy; oracles get each sample's hindsight.</param>
    /// <returns>The measures and each sample's exit and prediction.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> is null.</exception>
    /// <exception cref="ArgumentException">The policy does not fit M exits (<see cref="ExitPolicy.Validate"/>).</exception>
    public PolicyEvaluation Evaluate(ExitPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate(ExitCount);
        return RunParallel(() => Measure(policy, splitSamples: SampleCount >= 2 * ChunkSamples, keepPerSample: true));
    }

    /// <summary>
    /// Evaluates the policy built from each grid value: the trade-off curve of a one-parameter family.
    /// </summary>
    /// <param name="createPolicy">Builds the policy for one parameter value (e.g. τ => new MaxProbPolicy(τ)).</param>
    /// <param name="grid">Parameter values, at least one, in the order the points should have.</param>
    /// <param name="keepPerSample">Keep each point's per-sample <see cref="PolicyEvaluation.ExitIndices"/>
    /// and <see cref="PolicyEvaluation.Predictions"/> (2 × 4·N bytes per point). Default false: they
    /// are empty, and the sweep reuses pooled buffers instead of allocating them per point.</param>
    /// <returns>One point per grid value, in grid order; the same as evaluating each in turn
    /// (less the per-sample arrays unless <paramref name="keepPerSample"/>).</returns>
    /// <remarks>
    /// Every policy is built and validated first, in grid order, so a bad value fails with the
    /// factory's own exception; then the grid values are evaluated in parallel, each sample loop
    /// sequential, so the result does not depend on scheduling.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null, or the factory returned null.</exception>
    /// <exception cref="ArgumentException">The grid is empty, or a policy does not fit M exits.</exception>
    public TradeoffCurve Sweep(Func<double, ExitPolicy> createPolicy, IReadOnlyList<double> grid, bool keepPerSample = false)
    {
        ArgumentNullException.ThrowIfNull(createPolicy);
        ArgumentNullException.ThrowIfNull(grid);
        if (grid.Count == 0)
            throw new ArgumentException("grid must hold at least one parameter value; got 0", nameof(grid));
        var values = new double[grid.Count];
        var policies = new ExitPolicy[grid.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = grid[i];
            policies[i] = createPolicy(values[i])
                ?? throw new ArgumentNullException(nameof(createPolicy), $"the factory returned null for grid value {i} ({values[i]})");
            policies[i].Validate(ExitCount);
        }
        var points = new PolicyEvaluation[values.Length];
        RunParallel(() => Parallel.For(0, points.Length, i => points[i] = Measure(policies[i], splitSamples: false, keepPerSample)));
        return new TradeoffCurve(policies[0].Name,
            ImmutableCollectionsMarshal.AsImmutableArray(values),
            ImmutableCollectionsMarshal.AsImmutableArray(points));
    }

    private PolicyEvaluation Measure(ExitPolicy policy, bool splitSamples, bool keepPerSample)
    {
        int samples = SampleCount;
        // Without per-sample output the buffers are scratch: rent them (they are 4·N bytes each,
        // large-object-heap sized, and a sweep would otherwise allocate two per grid value).
        int[] exitBuffer = keepPerSample ? new int[samples] : ArrayPool<int>.Shared.Rent(samples);
        int[] predictionBuffer = keepPerSample ? new int[samples] : ArrayPool<int>.Shared.Rent(samples);
        try
        {
            if (splitSamples)
            {
                int chunks = (samples + ChunkSamples - 1) / ChunkSamples;
                Parallel.For(0, chunks, chunk =>
                {
                    int start = chunk * ChunkSamples;
                    Replay(policy, start, Math.Min(samples, start + ChunkSamples), exitBuffer, predictionBuffer);
                });
            }
            else
            {
                Replay(policy, 0, samples, exitBuffer, predictionBuffer);
            }

            ReadOnlySpan<int> exitIndices = exitBuffer.AsSpan(0, samples);
            ReadOnlySpan<int> predictions = predictionBuffer.AsSpan(0, samples);
            ReadOnlySpan<int> labels = Trace.Labels;
            int[] exitCounts = ExitHistogram.Count(exitIndices, ExitCount);
            return new PolicyEvaluation(
                PolicyName: policy.Name,
                Parameter: policy.Parameter,
                IsDeployable: policy.IsDeployable,
                Accuracy: Accuracy.Of(predictions, labels),
                MacroF1: MacroF1.Of(predictions, labels, Trace.ClassCount),
                ExitCounts: ImmutableCollectionsMarshal.AsImmutableArray(exitCounts),
                SpeedupRatio: SpeedupRatio.FromExitCounts(exitCounts),
                ExpectedCompute: ExpectedCompute.FromExits(Trace, exitIndices),
                // Exit indices were range-checked by ExitHistogram.Count.
                DecisionRates: ExitDecisionRates.CountFromRunningTotals(exitIndices, _rightThrough, ExitCount),
                ExitIndices: keepPerSample ? ImmutableCollectionsMarshal.AsImmutableArray(exitBuffer) : [],
                Predictions: keepPerSample ? ImmutableCollectionsMarshal.AsImmutableArray(predictionBuffer) : [])
            {
                Agreement = Agreement.Of(predictions, _finalPredictions),
                LostCount = Lost(predictions, labels),
            };
        }
        finally
        {
            if (!keepPerSample)
            {
                ArrayPool<int>.Shared.Return(exitBuffer);
                ArrayPool<int>.Shared.Return(predictionBuffer);
            }
        }
    }

    /// <summary>Samples whose final-exit answer is right and whose exited answer is wrong.</summary>
    private int Lost(ReadOnlySpan<int> predictions, ReadOnlySpan<int> labels)
    {
        int lost = 0;
        for (int n = 0; n < predictions.Length; n++)
        {
            if (predictions[n] != labels[n] && _finalPredictions[n] == labels[n]) lost++;
        }
        return lost;
    }

    /// <summary>The inner loop: samples [start, end) through the policy, no allocation per sample.</summary>
    private void Replay(ExitPolicy policy, int start, int end, int[] exitIndices, int[] predictions)
    {
        int exits = ExitCount;
        bool hindsight = !policy.IsDeployable;
        ReadOnlySpan<SignalValues> all = _signals;
        ReadOnlySpan<int> labels = Trace.Labels;
        for (int n = start; n < end; n++)
        {
            ReadOnlySpan<SignalValues> row = all.Slice(n * exits, exits);
            SampleHindsight? known = hindsight ? new SampleHindsight(row[exits - 1].Prediction, labels[n]) : null;
            int exit = ExitReplay.ExitIndex(policy, row, known);
            exitIndices[n] = exit;
            predictions[n] = row[exit].Prediction;
        }
    }

    private double[] ComputeDifficultyInversion()
    {
        int samples = SampleCount, exits = ExitCount;
        var table = new double[exits * AllSignals.Length];
        Parallel.For(0, exits, m =>
        {
            var values = new float[samples];
            var right = new bool[samples];
            for (int n = 0; n < samples; n++) right[n] = _correct[(n * exits) + m];
            for (int s = 0; s < AllSignals.Length; s++)
            {
                for (int n = 0; n < samples; n++) values[n] = _signals[(n * exits) + m][AllSignals[s]];
                table[(m * AllSignals.Length) + s] = DifficultyInversionScore.Compute(values, right, AllSignals[s]);
            }
        });
        return table;
    }

    /// <summary>Runs parallel work and rethrows its first failure as itself, not wrapped in an AggregateException.</summary>
    private static T RunParallel<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (AggregateException e)
        {
            ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
            throw; // unreachable
        }
    }

    private static void RunParallel(Func<ParallelLoopResult> work) => RunParallel<ParallelLoopResult>(work);
}
