using EarlyExit.Core.Calibration;
using EarlyExit.Core.Signals;

namespace EarlyExit.Server.Feedback;

/// <summary>
/// PCEE's online reliability mapping (docs/algorithms.md §2.4, served with <c>--feedback-refit</c>):
/// every answer that receives feedback adds its exits' confidences and hits to the reliability
/// diagrams, so the PCEE policies the server runs follow the traffic it sees instead of the
/// validation set alone.
/// </summary>
/// <remarks>
/// The diagrams are the calibration's counts plus the feedback's, bin by bin (our choice: the
/// validation set stays part of the estimate, so a handful of feedbacks cannot swing a bin; a bin
/// the feedback fills carries it as it grows). A hit is what the calibration's diagrams count: the
/// exit's answer equals the label (correctness) or the full model's answer (agreement). Thread-safe.
/// </remarks>
internal sealed class OnlineReliability
{
    private readonly ExitCalibration _base;
    private readonly int[][] _counts, _hits;  // [exit][bin]
    private readonly object _gate = new();
    private ExitCalibration _current;

    /// <summary>Starts from <paramref name="calibration"/>'s diagrams, no feedback yet.</summary>
    public OnlineReliability(ExitCalibration calibration)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        _base = calibration;
        _current = calibration;
        int bins = calibration.Diagrams[0].BinCount;
        _counts = [.. Enumerable.Range(0, calibration.ExitCount).Select(_ => new int[bins])];
        _hits = [.. Enumerable.Range(0, calibration.ExitCount).Select(_ => new int[bins])];
    }

    /// <summary>Feedbacks added so far.</summary>
    public int SampleCount { get; private set; }

    /// <summary>The calibration with the re-fitted diagrams: what PCEE policies are built from.</summary>
    public ExitCalibration Calibration
    {
        get { lock (_gate) return _current; }
    }

    /// <summary>Adds one answer's exits.</summary>
    /// <param name="exits">The signals of every exit, from the full run (<see cref="ObservingFullRun"/>).</param>
    /// <param name="label">The true label.</param>
    public void Add(IReadOnlyList<SignalValues> exits, int label)
    {
        ArgumentNullException.ThrowIfNull(exits);
        if (exits.Count != _counts.Length)
            throw new ArgumentException($"expected the signals of {_counts.Length} exits; got {exits.Count}", nameof(exits));
        int final = exits[^1].Prediction;
        int hitTarget = _base.Target == PceeTarget.Agreement ? final : label;
        lock (_gate)
        {
            int bins = _counts[0].Length;
            for (int m = 0; m < exits.Count; m++)
            {
                int bin = ReliabilityDiagram.BinOf(exits[m].MaxProb, bins);
                _counts[m][bin]++;
                if (exits[m].Prediction == hitTarget) _hits[m][bin]++;
            }
            SampleCount++;
            var diagrams = _base.Diagrams.Select((d, m) => ReliabilityDiagram.FromCounts(
                [.. d.Counts.Zip(_counts[m], (a, b) => a + b)], [.. d.CorrectCounts.Zip(_hits[m], (a, b) => a + b)]));
            _current = new ExitCalibration(_base.SampleCount + SampleCount, _base.ExitAccuracies, [.. diagrams],
                _base.BeemCost, _base.BeemAccuracy, _base.DefaultPolicy)
            {
                Target = _base.Target,
                PceeWsHalfWidth = _base.PceeWsHalfWidth,
                RiskControl = _base.RiskControl,
            };
        }
    }
}
