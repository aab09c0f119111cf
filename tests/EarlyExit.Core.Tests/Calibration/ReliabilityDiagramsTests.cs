using EarlyExit.Core.Calibration;
using EarlyExit.Core.Signals;

namespace EarlyExit.Core.Tests.Calibration;

public class ReliabilityDiagramsTests
{
    private static SignalValues Sig(int prediction, float maxProb) => new(prediction, maxProb, 0, 0, 0, 0);

    [Fact]
    public void Build_makes_one_diagram_per_exit_from_that_exits_confidence_and_correctness()
    {
        // Synthetic: 3 samples × 2 exits, labels [0, 1, 1], B = 2 (bins [0, .5), [.5, 1]).
        //   exit 1: (0, .9) right, (0, .4) wrong, (1, .6) right → bin 0: 1 sample 0 right; bin 1: 2, 2 right
        //   exit 2: (0, .2) right, (1, .5) right, (0, .7) wrong → bin 0: 1, 1 right; bin 1: 2, 1 right
        SignalValues[] signals = [Sig(0, .9f), Sig(0, .2f), Sig(0, .4f), Sig(1, .5f), Sig(1, .6f), Sig(0, .7f)];
        var diagrams = ReliabilityDiagrams.Build(signals, [0, 1, 1], 2, bins: 2);
        Assert.Equal(2, diagrams.Length);
        Assert.Equal([1, 2], diagrams[0].Counts.ToArray());
        Assert.Equal([0, 2], diagrams[0].CorrectCounts.ToArray());
        Assert.Equal([1, 2], diagrams[1].Counts.ToArray());
        Assert.Equal([1, 1], diagrams[1].CorrectCounts.ToArray());

        var smoothed = ReliabilityDiagrams.Smooth(diagrams, 1);
        // Exit 2 bin 1, h = 1 (K(±1) = .5): (.5·1 + 1·1) / (.5·1 + 1·2) = 1.5/2.5 = .6
        Assert.Equal(0.6, smoothed[1].BinAccuracies[1], 12);
    }

    [Fact]
    public void Build_checks_the_shape()
    {
        var e = Assert.Throws<ArgumentException>(() => ReliabilityDiagrams.Build(new SignalValues[5], [0, 1, 1], 2));
        Assert.Contains("signals hold 5 entries but 3 samples × 2 exits need 6", e.Message);
    }
}
