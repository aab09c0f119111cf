using System.Collections.Immutable;
using EarlyExit.Core.Signals;

namespace EarlyExit.Core.Calibration;

/// <summary>
/// Builds one <see cref="ReliabilityDiagram"/> per exit from a held-out calibration set, for
/// <see cref="Policies.PceePolicy"/>.
/// </summary>
public static class ReliabilityDiagrams
{
    /// <summary>
    /// One diagram per exit: exit m's diagram bins every calibration sample by its C_m (max-prob)
    /// and counts whether ŷ_m is right.
    /// </summary>
    /// <param name="signals">Calibration signals, N × M row-major [sample][exit] (what
    /// <see cref="Traces.ExitTrace.ComputeSignals"/> returns). Use samples the policy is not
    /// evaluated on, or the accuracy it reaches is not a test result.</param>
    /// <param name="labels">N true labels (≥ 0).</param>
    /// <param name="exitCount">M ≥ 1.</param>
    /// <param name="bins">B ≥ 1, default 10.</param>
    /// <returns>M diagrams, in exit order.</returns>
    /// <exception cref="ArgumentException">Shapes disagree, a label is negative, or B &lt; 1.</exception>
    public static ImmutableArray<ReliabilityDiagram> Build(ReadOnlySpan<SignalValues> signals, ReadOnlySpan<int> labels,
        int exitCount, int bins = ReliabilityDiagram.DefaultBinCount)
    {
        int n = SignalTable.Validate(signals, labels, exitCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var confidences = new double[n];
        var correct = new bool[n];
        var diagrams = ImmutableArray.CreateBuilder<ReliabilityDiagram>(exitCount);
        for (int m = 0; m < exitCount; m++)
        {
            for (int i = 0; i < n; i++)
            {
                var s = signals[(i * exitCount) + m];
                confidences[i] = s.MaxProb;
                correct[i] = s.Prediction == labels[i];
            }
            diagrams.Add(ReliabilityDiagram.Build(confidences, correct, bins));
        }
        return diagrams.MoveToImmutable();
    }

    /// <summary>
    /// Smooths every diagram with <see cref="ReliabilityDiagram.Smooth"/> (PCEE-WS, our choice).
    /// </summary>
    /// <param name="diagrams">Per-exit diagrams.</param>
    /// <param name="halfWidth">h ≥ 0, in bins.</param>
    public static ImmutableArray<ReliabilityDiagram> Smooth(IReadOnlyList<ReliabilityDiagram> diagrams, int halfWidth)
    {
        ArgumentNullException.ThrowIfNull(diagrams);
        return [.. diagrams.Select(d => d.Smooth(halfWidth))];
    }
}
