using System.Collections.Immutable;
using EarlyExit.Core.Signals;

namespace EarlyExit.Core.Traces;

/// <summary>
/// The outputs of every exit of a multi-exit model for N samples: logits (N × M × C), true
/// labels and, when known, the compute each exit costs. Every policy can be replayed over it
/// offline without running the model again.
/// </summary>
/// <remarks>
/// Logits are stored row-major as [sample][exit][class]. Compute is given as
/// <see cref="CumulativeFlops"/>: entry m is the FLOPs spent by a sample that leaves at exit m
/// (layers 1..m+1 plus the exit heads evaluated on the way), and <see cref="FullModelFlops"/> is
/// the FLOPs of the plain model without early exit (all layers, final head only), the
/// denominator of the expected-compute fraction (docs/algorithms.md §4). Without FLOPs, every layer is
/// taken to cost the same and heads nothing.
/// </remarks>
public sealed class ExitTrace
{
    private readonly float[] _logits;
    private readonly int[] _labels;
    private readonly double[]? _cumulativeFlops;
    private readonly double[]? _sampleFlops;      // N × M, each sample's own cost of leaving at each exit, or null
    private readonly double[]? _sampleFullFlops;  // N, each sample's own full-model cost, or null

    /// <summary>Creates a trace, validating every shape and label.</summary>
    /// <param name="logits">N × M × C logits, row-major [sample][exit][class]; copied.</param>
    /// <param name="labels">N true labels in [0, C); copied.</param>
    /// <param name="exitCount">M ≥ 1.</param>
    /// <param name="classNames">C ≥ 1 class names.</param>
    /// <param name="cumulativeFlops">Optional M non-decreasing positive FLOP counts; see remarks.</param>
    /// <param name="fullModelFlops">FLOPs of the model without early exit; required with
    /// <paramref name="cumulativeFlops"/>, must be positive.</param>
    /// <exception cref="ArgumentException">Any shape, label or FLOP count is off; the message names it.</exception>
    public ExitTrace(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, int exitCount,
        IReadOnlyList<string> classNames, ReadOnlySpan<double> cumulativeFlops = default, double fullModelFlops = 0)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentOutOfRangeException.ThrowIfLessThan(exitCount, 1);
        if (classNames.Count < 1)
            throw new ArgumentException("a trace needs at least one class name; got 0", nameof(classNames));
        if (labels.IsEmpty)
            throw new ArgumentException("a trace needs at least one sample; got 0 labels", nameof(labels));
        int classes = classNames.Count;
        long expected = (long)labels.Length * exitCount * classes;
        if (logits.Length != expected)
            throw new ArgumentException(
                $"logits hold {logits.Length} values but {labels.Length} samples × {exitCount} exits × {classes} classes need {expected}",
                nameof(logits));
        for (int n = 0; n < labels.Length; n++)
        {
            if ((uint)labels[n] >= (uint)classes)
                throw new ArgumentException($"label of sample {n} is {labels[n]}; must be in [0, {classes})", nameof(labels));
        }
        if (!cumulativeFlops.IsEmpty)
        {
            if (cumulativeFlops.Length != exitCount)
                throw new ArgumentException(
                    $"cumulativeFlops has {cumulativeFlops.Length} entries; must have one per exit ({exitCount})", nameof(cumulativeFlops));
            for (int m = 0; m < exitCount; m++)
            {
                double f = cumulativeFlops[m];
                if (!double.IsFinite(f) || f <= 0 || (m > 0 && f < cumulativeFlops[m - 1]))
                    throw new ArgumentException(
                        $"cumulativeFlops[{m}] is {f}; FLOPs must be positive, finite and non-decreasing", nameof(cumulativeFlops));
            }
            if (!double.IsFinite(fullModelFlops) || fullModelFlops <= 0)
                throw new ArgumentOutOfRangeException(nameof(fullModelFlops), fullModelFlops, "fullModelFlops must be positive and finite when cumulativeFlops are given");
            _cumulativeFlops = cumulativeFlops.ToArray();
        }
        _logits = logits.ToArray();
        _labels = labels.ToArray();
        SampleCount = labels.Length;
        ExitCount = exitCount;
        ClassNames = [.. classNames];
        FullModelFlops = _cumulativeFlops is null ? 0 : fullModelFlops;
    }

    // A copy that shares the (never mutated) arrays and only says where it came from.
    private ExitTrace(ExitTrace trace, TraceProvenance? provenance)
    {
        _logits = trace._logits;
        _labels = trace._labels;
        _cumulativeFlops = trace._cumulativeFlops;
        _sampleFlops = trace._sampleFlops;
        _sampleFullFlops = trace._sampleFullFlops;
        SampleCount = trace.SampleCount;
        ExitCount = trace.ExitCount;
        ClassNames = trace.ClassNames;
        FullModelFlops = trace.FullModelFlops;
        Provenance = provenance;
    }

    // A copy with per-sample FLOPs (validated by the caller) and the per-exit means taken from them.
    private ExitTrace(ExitTrace trace, double[] sampleFlops, double[] sampleFullFlops)
    {
        _logits = trace._logits;
        _labels = trace._labels;
        _sampleFlops = sampleFlops;
        _sampleFullFlops = sampleFullFlops;
        SampleCount = trace.SampleCount;
        ExitCount = trace.ExitCount;
        ClassNames = trace.ClassNames;
        Provenance = trace.Provenance;
        _cumulativeFlops = new double[ExitCount];
        for (int n = 0; n < SampleCount; n++)
        {
            for (int m = 0; m < ExitCount; m++) _cumulativeFlops[m] += sampleFlops[(n * ExitCount) + m];
        }
        for (int m = 0; m < ExitCount; m++) _cumulativeFlops[m] /= SampleCount;
        FullModelFlops = sampleFullFlops.Average();
    }

    /// <summary>
    /// This trace with each sample's own FLOPs (docs/algorithms.md §4.2): a text's cost grows with its
    /// length, so where long texts exit later, one mean cost per exit misstates what was spent.
    /// <see cref="CumulativeFlops"/> and <see cref="FullModelFlops"/> become their means over the samples.
    /// </summary>
    /// <param name="sampleCumulativeFlops">N × M, row-major [sample][exit]: the FLOPs a sample spends
    /// when it leaves at each exit; positive, finite, non-decreasing along each row.</param>
    /// <param name="sampleFullModelFlops">N: each sample's FLOPs in the model without early exit; positive and finite.</param>
    /// <exception cref="ArgumentException">A length is off or a value out of range; the message names the sample and exit.</exception>
    public ExitTrace WithSampleFlops(ReadOnlySpan<double> sampleCumulativeFlops, ReadOnlySpan<double> sampleFullModelFlops)
    {
        if (sampleCumulativeFlops.Length != (long)SampleCount * ExitCount)
            throw new ArgumentException($"sampleCumulativeFlops has {sampleCumulativeFlops.Length} values; {SampleCount} samples × {ExitCount} exits need {(long)SampleCount * ExitCount}", nameof(sampleCumulativeFlops));
        if (sampleFullModelFlops.Length != SampleCount)
            throw new ArgumentException($"sampleFullModelFlops has {sampleFullModelFlops.Length} values; the trace has {SampleCount} samples", nameof(sampleFullModelFlops));
        for (int n = 0; n < SampleCount; n++)
        {
            if (!double.IsFinite(sampleFullModelFlops[n]) || sampleFullModelFlops[n] <= 0)
                throw new ArgumentException($"sample {n}'s full-model FLOPs are {sampleFullModelFlops[n]}; they must be positive and finite", nameof(sampleFullModelFlops));
            for (int m = 0; m < ExitCount; m++)
            {
                double f = sampleCumulativeFlops[(n * ExitCount) + m];
                if (!double.IsFinite(f) || f <= 0 || (m > 0 && f < sampleCumulativeFlops[(n * ExitCount) + m - 1]))
                    throw new ArgumentException($"sample {n}'s FLOPs at exit {m} are {f}; they must be positive, finite and non-decreasing", nameof(sampleCumulativeFlops));
            }
        }
        return new ExitTrace(this, sampleCumulativeFlops.ToArray(), sampleFullModelFlops.ToArray());
    }

    /// <summary>True when the trace holds each sample's own FLOPs (<see cref="WithSampleFlops"/>).</summary>
    public bool HasSampleFlops => _sampleFlops is not null;

    /// <summary>Each sample's FLOPs at each exit, N × M row-major, or empty without <see cref="HasSampleFlops"/>.</summary>
    public ReadOnlySpan<double> SampleCumulativeFlops => _sampleFlops;

    /// <summary>Each sample's full-model FLOPs (length N), or empty without <see cref="HasSampleFlops"/>.</summary>
    public ReadOnlySpan<double> SampleFullModelFlops => _sampleFullFlops;

    /// <summary>The split and data the trace was recorded from, or null when not known (a trace made
    /// without it, or read from a file written before traces stored it).</summary>
    public TraceProvenance? Provenance { get; }

    /// <summary>This trace, saying it was recorded from <paramref name="provenance"/>; the logits are shared, not copied.</summary>
    /// <param name="provenance">The split and data; null for unknown.</param>
    public ExitTrace WithProvenance(TraceProvenance? provenance) => new(this, provenance);

    /// <summary>N, the number of samples.</summary>
    public int SampleCount { get; }

    /// <summary>M, the number of exits.</summary>
    public int ExitCount { get; }

    /// <summary>C, the number of classes.</summary>
    public int ClassCount => ClassNames.Length;

    /// <summary>Class names, indexed by label.</summary>
    public ImmutableArray<string> ClassNames { get; }

    /// <summary>True when <see cref="CumulativeFlops"/> were given.</summary>
    public bool HasFlops => _cumulativeFlops is not null;

    /// <summary>FLOPs spent by a sample leaving at each exit (length M), or empty.</summary>
    public ReadOnlySpan<double> CumulativeFlops => _cumulativeFlops;

    /// <summary>FLOPs of the model without early exit, or 0 when FLOPs are not known.</summary>
    public double FullModelFlops { get; }

    /// <summary>All logits, row-major [sample][exit][class].</summary>
    public ReadOnlySpan<float> AllLogits => _logits;

    /// <summary>All N labels.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>The logits of one sample at one exit (length C).</summary>
    public ReadOnlySpan<float> Logits(int sample, int exit)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)sample, (uint)SampleCount, nameof(sample));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)exit, (uint)ExitCount, nameof(exit));
        return _logits.AsSpan(((sample * ExitCount) + exit) * ClassCount, ClassCount);
    }

    /// <summary>
    /// Fraction of the full model's compute spent by a sample leaving at <paramref name="exit"/>:
    /// CumulativeFlops[m] / FullModelFlops (means over the samples), or (m + 1) / M without FLOPs.
    /// </summary>
    public double ComputeFraction(int exit)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)exit, (uint)ExitCount, nameof(exit));
        return _cumulativeFlops is null ? (exit + 1) / (double)ExitCount : _cumulativeFlops[exit] / FullModelFlops;
    }

    /// <summary>
    /// Computes every exit's signals for every sample, as an N × M row-major array.
    /// </summary>
    /// <exception cref="InvalidLogitsException">A NaN or infinite logit; names sample and exit.</exception>
    public SignalValues[] ComputeSignals()
    {
        var result = new SignalValues[SampleCount * ExitCount];
        if (SampleCount * ExitCount >= 4096)
        {
            Parallel.For(0, SampleCount, n => FillSample(n, result));
        }
        else
        {
            for (int n = 0; n < SampleCount; n++) FillSample(n, result);
        }
        return result;
    }

    /// <summary>
    /// The trace of the samples <paramref name="samples"/> names, in that order (a calibration or test
    /// part of a split): their logits and labels copied, the class names and FLOPs shared, no provenance.
    /// </summary>
    /// <param name="samples">Sample indices in [0, N), at least one; repeats are allowed (a bootstrap).</param>
    /// <exception cref="ArgumentException">No index, or one out of range (the message names it).</exception>
    public ExitTrace Select(ReadOnlySpan<int> samples)
    {
        if (samples.IsEmpty)
            throw new ArgumentException("a trace needs at least one sample; got 0 indices", nameof(samples));
        int row = ExitCount * ClassCount;
        var logits = new float[samples.Length * row];
        var labels = new int[samples.Length];
        for (int i = 0; i < samples.Length; i++)
        {
            int n = samples[i];
            if ((uint)n >= (uint)SampleCount)
                throw new ArgumentException($"samples[{i}] is {n}; the trace has samples 0..{SampleCount - 1}", nameof(samples));
            _logits.AsSpan(n * row, row).CopyTo(logits.AsSpan(i * row, row));
            labels[i] = _labels[n];
        }
        var selected = new ExitTrace(logits, labels, ExitCount, ClassNames, _cumulativeFlops, FullModelFlops);
        if (_sampleFlops is null) return selected;
        // With per-sample FLOPs the part's means are its own samples' (exact, not the whole split's).
        var flops = new double[samples.Length * ExitCount];
        var full = new double[samples.Length];
        for (int i = 0; i < samples.Length; i++)
        {
            _sampleFlops.AsSpan(samples[i] * ExitCount, ExitCount).CopyTo(flops.AsSpan(i * ExitCount, ExitCount));
            full[i] = _sampleFullFlops![samples[i]];
        }
        return new ExitTrace(selected, flops, full);
    }

    /// <summary>
    /// One trace of <paramref name="first"/>'s samples then <paramref name="second"/>'s, e.g. the
    /// validation and test traces pooled for a resampling check.
    /// </summary>
    /// <remarks>
    /// FLOPs per exit are each split's mean over its samples (a text model's cost follows the
    /// texts' lengths), so the pooled trace takes their sample-weighted mean; with FLOPs on one side
    /// only, it has none.
    /// </remarks>
    /// <exception cref="ArgumentException">The traces differ in exits or class names.</exception>
    public static ExitTrace Concat(ExitTrace first, ExitTrace second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.ExitCount != second.ExitCount || !first.ClassNames.SequenceEqual(second.ClassNames))
            throw new ArgumentException("the traces come from different models: their exits or class names differ", nameof(second));
        double a = first.SampleCount, b = second.SampleCount;
        double[]? flops = first.HasFlops && second.HasFlops
            ? [.. Enumerable.Range(0, first.ExitCount).Select(m => ((a * first._cumulativeFlops![m]) + (b * second._cumulativeFlops![m])) / (a + b))]
            : null;
        double full = flops is null ? 0 : ((a * first.FullModelFlops) + (b * second.FullModelFlops)) / (a + b);
        var pooled = new ExitTrace([.. first._logits, .. second._logits], [.. first._labels, .. second._labels],
            first.ExitCount, first.ClassNames, flops, full);
        return first._sampleFlops is not null && second._sampleFlops is not null
            ? new ExitTrace(pooled, [.. first._sampleFlops, .. second._sampleFlops], [.. first._sampleFullFlops!, .. second._sampleFullFlops!])
            : pooled;
    }

    private void FillSample(int n, SignalValues[] result)
    {
        for (int m = 0; m < ExitCount; m++)
            result[(n * ExitCount) + m] = ExitSignals.Compute(Logits(n, m), n, m);
    }
}
