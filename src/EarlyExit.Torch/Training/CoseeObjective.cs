using System.Globalization;
using System.Text.Json.Nodes;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Training;

/// <summary>
/// COSEE (He et al., the COSEE paper §3; docs/algorithms.md §3.4): sample weighting over K simulated exit
/// thresholds plus online signal calibration. Loss = L_CE + α·L_OSC (eq. 9).
/// </summary>
/// <remarks>
/// <para>Every step: compute the chosen signal at every exit (detached); draw K thresholds τ
/// uniformly from [lo, hi]; for each τ find m*_n, the exit where sample n would leave under
/// <see cref="ThresholdPolicy"/> (the same object, hence the same comparison, as inference;
/// the last exit if it never passes); weigh sample n's cross-entropy at exit m by
/// w_n^(m) = softmax_m(−β_t·|m − m*_n|) (eq. 3) with β_t = β_0·t/T (eq. 4);
/// L_CE,τ = (1/N) Σ_n Σ_m w_n^(m)·CE_n^(m) (eq. 2); L_CE = mean over the K thresholds (eq. 5).</para>
/// <para>[lo, hi] is [0, 1] in the first epoch, then the minimum and maximum of the signal over
/// the internal exits (m &lt; M) of every training batch of the previous epoch (docs/algorithms.md §3;
/// the paper says "all layers", docs/algorithms.md §3 restricts it to the exits a threshold can act on).
/// An epoch without internal exits (M = 1) keeps the range.</para>
/// <para>L_OSC (eq. 6–8): for each internal exit, easy = the samples it classifies correctly,
/// hard = the rest; L_OSC^(m) = max(0, S̄_easy − S̄_hard + ε) for energy and entropy, easy and
/// hard swapped for max-prob (a confidence). The signal here keeps its gradient.
/// <b>(our choice)</b> An exit where either group is empty is skipped, and L_OSC is the mean
/// over the exits not skipped (0 when all are): dividing by M − 1 as eq. 6 does would shrink α
/// by the share of skipped exits, which changes from batch to batch.</para>
/// <para>This object is stateful (the threshold range): use one per training run. Thresholds
/// are drawn from torch's global generator, which the trainer seeds every step.</para>
/// </remarks>
public sealed class CoseeObjective : ITrainingObjective
{
    // Running min/max of the signal over internal exits in the current epoch; NaN when none seen.
    private double _seenLow = double.NaN;
    private double _seenHigh = double.NaN;

    /// <summary>Creates the objective.</summary>
    /// <param name="options">Hyper-parameters; null for the paper's defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public CoseeObjective(CoseeOptions? options = null)
    {
        options ??= new CoseeOptions();
        options.Validate();
        Options = options;
    }

    /// <summary>The hyper-parameters.</summary>
    public CoseeOptions Options { get; }

    /// <summary>"cosee".</summary>
    public string Name => "cosee";

    /// <summary>lo, the lower end of this epoch's threshold range; 0 in the first epoch.</summary>
    public double ThresholdLow { get; private set; }

    /// <summary>hi, the upper end of this epoch's threshold range; 1 in the first epoch.</summary>
    public double ThresholdHigh { get; private set; } = 1.0;

    /// <summary>The decay factor β_t = β_0·t/T (eq. 4), t the 1-based step and T the run's steps.</summary>
    public static double Beta(double betaZero, TrainingStep step) => betaZero * step.Progress;

    /// <summary>Draws K thresholds uniformly from [<see cref="ThresholdLow"/>, <see cref="ThresholdHigh"/>] with torch's global generator.</summary>
    public double[] SampleThresholds()
    {
        using var scope = NewDisposeScope();
        double[] u = rand(Options.ThresholdCount, dtype: ScalarType.Float64).data<double>().ToArray();
        double lo = ThresholdLow, hi = ThresholdHigh;
        return [.. u.Select(x => Math.Clamp(lo + (hi - lo) * x, lo, hi))];
    }

    /// <summary>
    /// m*_n for every sample: the 0-based exit where it leaves under
    /// <c>new ThresholdPolicy(signal, threshold)</c>, replayed with <see cref="ExitReplay"/>.
    /// </summary>
    /// <param name="signals">Sample-major signals: entry n·M + m is sample n at exit m.</param>
    /// <param name="exitCount">M.</param>
    /// <param name="signal">The thresholded signal.</param>
    /// <param name="threshold">τ, in the signal's range (see <see cref="ThresholdPolicy"/>).</param>
    /// <returns>One exit index per sample.</returns>
    public static long[] SimulatedExits(ReadOnlySpan<SignalValues> signals, int exitCount, ExitSignal signal, double threshold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exitCount, 1);
        if (signals.Length % exitCount != 0)
            throw new ArgumentException($"signals must hold M = {exitCount} entries per sample; got {signals.Length}", nameof(signals));
        var policy = new ThresholdPolicy(signal, threshold);
        var exits = new long[signals.Length / exitCount];
        for (int n = 0; n < exits.Length; n++)
            exits[n] = ExitReplay.ExitIndex(policy, signals.Slice(n * exitCount, exitCount));
        return exits;
    }

    /// <summary>w_n^(m) = e^{−β|m − m*_n|} / Σ_k e^{−β|k − m*_n|} (eq. 3): each sample's weights over the exits, largest at its exit, summing to 1.</summary>
    /// <param name="exitIndices">(batch) int64, m*_n (0-based).</param>
    /// <param name="exitCount">M.</param>
    /// <param name="beta">β_t ≥ 0; 0 gives uniform weights 1/M.</param>
    /// <returns>(exits, batch) float32.</returns>
    public static Tensor SampleWeights(Tensor exitIndices, long exitCount, double beta)
    {
        ArgumentNullException.ThrowIfNull(exitIndices);
        using var scope = NewDisposeScope();
        Tensor m = arange(exitCount, dtype: ScalarType.Float32, device: exitIndices.device).unsqueeze(1); // (exits, 1)
        Tensor distance = (m - exitIndices.to_type(ScalarType.Float32).unsqueeze(0)).abs();            // (exits, batch)
        return (distance * -beta).softmax(0).MoveToOuterDisposeScope();
    }

    /// <summary>The signal as a differentiable function of the logits (docs/algorithms.md §1).</summary>
    /// <param name="logits">(…, classes).</param>
    /// <param name="signal">Normalised energy σ(E) = sigmoid(−logsumexp z), entropy −Σ p log p (from log_softmax), or max-prob max softmax z.</param>
    /// <returns>(…).</returns>
    public static Tensor SignalOf(Tensor logits, ExitSignal signal)
    {
        ArgumentNullException.ThrowIfNull(logits);
        using var scope = NewDisposeScope();
        Tensor result = signal switch
        {
            ExitSignal.NormalizedEnergy => (-logits.logsumexp(-1)).sigmoid(),
            ExitSignal.Entropy => -(logits.softmax(-1) * logits.log_softmax(-1)).sum(-1), // −Σ p log p: no cancellation of large logits
            ExitSignal.MaxProb => logits.softmax(-1).amax([-1]),
            _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, $"COSEE calibrates normalized-energy, entropy or max-prob; got {signal}"),
        };
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>L_OSC (eq. 6–8) over the internal exits (all rows but the last).</summary>
    /// <param name="signals">(exits, batch) signal values, with gradients.</param>
    /// <param name="correct">(exits, batch) bool: exit m classifies sample n correctly (easy).</param>
    /// <param name="signal">Which signal <paramref name="signals"/> holds: max-prob swaps easy and hard.</param>
    /// <param name="margin">ε.</param>
    /// <returns>A scalar: the mean of max(0, S̄_easy − S̄_hard + ε) (S̄_hard − S̄_easy + ε for max-prob) over the internal exits with both groups non-empty; 0 if none.</returns>
    public static Tensor CalibrationLoss(Tensor signals, Tensor correct, ExitSignal signal, double margin)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(correct);
        using var scope = NewDisposeScope();
        long internalExits = signals.shape[0] - 1;
        if (internalExits < 1)
            return zeros([], dtype: signals.dtype, device: signals.device).MoveToOuterDisposeScope();
        Tensor s = signals.narrow(0, 0, internalExits);                                   // (M−1, batch)
        Tensor easy = correct.narrow(0, 0, internalExits).to_type(signals.dtype);          // 1 = easy
        Tensor hard = 1 - easy;
        Tensor easyCount = easy.sum(1), hardCount = hard.sum(1);                            // (M−1)
        Tensor meanEasy = (s * easy).sum(1) / easyCount.clamp_min(1);
        Tensor meanHard = (s * hard).sum(1) / hardCount.clamp_min(1);
        Tensor gap = ExitSignals.IsConfidence(signal) ? meanHard - meanEasy : meanEasy - meanHard; // eq. 8 : eq. 7
        Tensor valid = (easyCount > 0).logical_and(hardCount > 0).to_type(signals.dtype);   // skip an exit with an empty group
        Tensor perExit = (gap + margin).relu() * valid;
        return (perExit.sum() / valid.sum().clamp_min(1)).MoveToOuterDisposeScope();
    }

    /// <summary>L_CE + α·L_OSC for one batch; also widens this epoch's seen signal range.</summary>
    /// <inheritdoc/>
    public Tensor Loss(Tensor logits, Tensor labels, TrainingStep step)
    {
        ExitLosses.CheckShapes(logits, labels);
        using var scope = NewDisposeScope();
        int exitCount = (int)logits.shape[0], batch = (int)logits.shape[1];
        ExitSignal signal = Options.Signal;

        // The signals exactly as inference computes them (Core, float32, sample-major), detached.
        SignalValues[] values = HostSignals(logits);
        TrackRange(values, exitCount, signal);

        Tensor ce = ExitLosses.PerSample(logits, labels);              // (exits, batch)
        double beta = Beta(Options.BetaZero, step);
        Tensor classification = zeros([], dtype: ce.dtype, device: ce.device);
        foreach (double tau in SampleThresholds())
        {
            long[] exits = SimulatedExits(values, exitCount, signal, tau);
            Tensor weights = SampleWeights(tensor(exits, device: logits.device), exitCount, beta);
            classification = classification + (weights * ce).sum([0L]).mean(); // eq. 2
        }
        classification = classification / Options.ThresholdCount;      // eq. 5

        long[] labelArray = labels.cpu().data<long>().ToArray();
        var correct = new bool[exitCount * batch];                      // (exits, batch)
        for (int n = 0; n < batch; n++)
            for (int m = 0; m < exitCount; m++)
                correct[m * batch + n] = values[n * exitCount + m].Prediction == labelArray[n];
        Tensor correctTensor = tensor(correct, device: logits.device).view(exitCount, batch);
        Tensor calibration = CalibrationLoss(SignalOf(logits, signal), correctTensor, signal, Options.Margin);

        return (classification + Options.CalibrationWeight * calibration).MoveToOuterDisposeScope();
    }

    /// <summary>Makes the range seen this epoch the next epoch's threshold range (kept when nothing was seen).</summary>
    public void EndEpoch()
    {
        if (!double.IsNaN(_seenLow))
        {
            ThresholdLow = _seenLow;
            ThresholdHigh = _seenHigh;
        }
        _seenLow = _seenHigh = double.NaN;
    }

    /// <inheritdoc/>
    public JsonNode? SaveState() => new JsonObject
    {
        ["thresholdLow"] = ThresholdLow,
        ["thresholdHigh"] = ThresholdHigh,
        ["seenLow"] = double.IsNaN(_seenLow) ? null : _seenLow,
        ["seenHigh"] = double.IsNaN(_seenHigh) ? null : _seenHigh,
    };

    /// <inheritdoc/>
    public void RestoreState(JsonNode? state)
    {
        if (state is not JsonObject o || o["thresholdLow"] is null || o["thresholdHigh"] is null)
            throw new InvalidDataException($"COSEE state must hold thresholdLow and thresholdHigh; got {state?.ToJsonString() ?? "null"}");
        ThresholdLow = o["thresholdLow"]!.GetValue<double>();
        ThresholdHigh = o["thresholdHigh"]!.GetValue<double>();
        _seenLow = o["seenLow"]?.GetValue<double>() ?? double.NaN;
        _seenHigh = o["seenHigh"]?.GetValue<double>() ?? double.NaN;
    }

    /// <summary>(exits, batch, classes) logits → sample-major <see cref="SignalValues"/> (entry n·M + m).</summary>
    internal static SignalValues[] HostSignals(Tensor logits)
    {
        int exitCount = (int)logits.shape[0], batch = (int)logits.shape[1], classes = (int)logits.shape[2];
        using var scope = NewDisposeScope();
        float[] host = logits.detach().to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var values = new SignalValues[batch * exitCount];
        for (int m = 0; m < exitCount; m++)
            for (int n = 0; n < batch; n++)
                values[n * exitCount + m] = ExitSignals.Compute(host.AsSpan((m * batch + n) * classes, classes), n, m);
        return values;
    }

    private void TrackRange(SignalValues[] values, int exitCount, ExitSignal signal)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (i % exitCount == exitCount - 1) continue; // the last exit: no threshold acts there
            double v = values[i][signal];
            if (double.IsNaN(_seenLow) || v < _seenLow) _seenLow = v;
            if (double.IsNaN(_seenHigh) || v > _seenHigh) _seenHigh = v;
        }
    }

    /// <summary>Shows the range, e.g. "cosee normalized-energy [0.01, 0.4]".</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"cosee {ThresholdPolicy.NameOf(Options.Signal)} [{ThresholdLow}, {ThresholdHigh}]");
}
