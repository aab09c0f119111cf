using EarlyExit.Core.Signals;

namespace EarlyExit.Core.Calibration;

/// <summary>
/// Checks on the N × M row-major signal table (what <see cref="Traces.ExitTrace.ComputeSignals"/>
/// returns) and its labels, shared by every calibration routine so the messages agree.
/// </summary>
internal static class SignalTable
{
    /// <summary>Validates the shapes and labels; returns N, the number of samples.</summary>
    /// <exception cref="ArgumentException">Empty, mismatched lengths or a negative label.</exception>
    public static int Validate(ReadOnlySpan<SignalValues> signals, ReadOnlySpan<int> labels, int exitCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exitCount, 1);
        if (labels.IsEmpty)
            throw new ArgumentException("calibration needs at least one sample; got 0 labels", nameof(labels));
        long expected = (long)labels.Length * exitCount;
        if (signals.Length != expected)
            throw new ArgumentException(
                $"signals hold {signals.Length} entries but {labels.Length} samples × {exitCount} exits need {expected}",
                nameof(signals));
        for (int n = 0; n < labels.Length; n++)
        {
            if (labels[n] < 0)
                throw new ArgumentException($"label of sample {n} is {labels[n]}; must be ≥ 0", nameof(labels));
        }
        return labels.Length;
    }
}
