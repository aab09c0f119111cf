using EarlyExit.Core.Calibration;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace EarlyExit.Core.Tests.Policies;

public class PceePolicyTests
{
    private static SignalValues Sig(float maxProb) => new(0, maxProb, 0, 0, 0, 0);

    private static int[] Bins(params (int Bin, int Count)[] filled)
    {
        var counts = new int[10];
        foreach (var (bin, count) in filled) counts[bin] = count;
        return counts;
    }

    // Hand-made diagrams, B = 10 (synthetic counts):
    //   exit 1: bin 5 = 5/10 = .5, bin 9 = 9/10 = .9, the rest empty
    //   exit 2: bin 8 = 17/20 = .85, the rest empty
    //   exit 3: bin 9 = 1/1 (never consulted: the last exit always exits)
    private static readonly ReliabilityDiagram[] Diagrams =
    [
        ReliabilityDiagram.FromCounts(Bins((5, 10), (9, 10)), Bins((5, 5), (9, 9))),
        ReliabilityDiagram.FromCounts(Bins((8, 20)), Bins((8, 17))),
        ReliabilityDiagram.FromCounts(Bins((9, 1)), Bins((9, 1))),
    ];

    [Theory]
    // C = [.75, .82, .5]. RD_1(.75): bin 7 empty → bin 5 = .5. RD_2(.82): bin 8 = .85.
    [InlineData(0.75f, 0.5, 0)]   // .5 ≥ .5 at exit 1
    [InlineData(0.75f, 0.8, 1)]   // .5 < .8; .85 ≥ .8 at exit 2
    [InlineData(0.75f, 0.9, 2)]   // .5, .85 < .9: the last exit
    [InlineData(0.95f, 0.9, 0)]   // RD_1(.95) = bin 9 = .9 ≥ .9
    // C_1 = .3: bins 0..3 all empty → NaN (do not exit) even for δ = 0; RD_2(.82) = .85 ≥ 0.
    [InlineData(0.3f, 0.0, 1)]
    public void Exits_where_the_hand_diagram_says(float firstConfidence, double delta, int expectedExit)
    {
        SignalValues[] sample = [Sig(firstConfidence), Sig(0.82f), Sig(0.5f)];
        var policy = new PceePolicy(Diagrams, delta);
        policy.Validate(3);
        Assert.Equal(expectedExit, ExitReplay.ExitIndex(policy, sample));
    }

    [Fact]
    public void Decide_does_not_allocate()
    {
        var policy = new PceePolicy(Diagrams, 0.9);
        SignalValues[] sample = [Sig(0.75f), Sig(0.82f), Sig(0.5f)]; // runs all three exits
        ExitReplay.ExitIndex(policy, sample); // warm up (JIT)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) ExitReplay.ExitIndex(policy, sample);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Smoothed_variant_can_hold_back_a_sparse_overconfident_bin()
    {
        // Exit 1: bin 8 = 2/2 = 1.0 (sparse), bin 9 = 14/20 = .7. PCEE at C_1 = .85, δ = .8: 1.0 ≥ .8 → exit 1.
        // PCEE-WS, h = 1 (K(±1) = .5): bin 8 = (1·2 + .5·14) / (1·2 + .5·20) = 9/12 = .75 < .8 → go on;
        // exit 2: bin 8 = .85 ≥ .8 → exit 2.
        ReliabilityDiagram[] plain =
        [
            ReliabilityDiagram.FromCounts(Bins((8, 2), (9, 20)), Bins((8, 2), (9, 14))),
            Diagrams[1],
            Diagrams[2],
        ];
        SignalValues[] sample = [Sig(0.85f), Sig(0.82f), Sig(0.5f)];

        var pcee = new PceePolicy(plain, 0.8);
        var ws = PceePolicy.WithSmoothing(plain, 0.8, halfWidth: 1);

        Assert.Equal(0, ExitReplay.ExitIndex(pcee, sample));
        Assert.Equal(1, ExitReplay.ExitIndex(ws, sample));
        Assert.Equal("pcee", pcee.Name);
        Assert.Equal("pcee-ws", ws.Name);
        Assert.Equal(1, ws.SmoothingHalfWidth);
        Assert.Equal(0.8, ws.Parameter);
    }

    [Theory]
    [InlineData(1.2, "delta must be in [0, 1]; got 1.2")]
    [InlineData(-0.01, "delta must be in [0, 1]; got -0.01")]
    [InlineData(double.NaN, "delta must be in [0, 1]; got NaN")]
    public void Delta_outside_0_1_is_rejected_naming_the_value(double delta, string message)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PceePolicy(Diagrams, delta));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Validate_checks_one_diagram_per_exit()
    {
        var e = Assert.Throws<ArgumentException>(() => new PceePolicy(Diagrams, 0.5).Validate(4));
        Assert.Contains("PCEE has 3 reliability diagrams; the model has 4 exits", e.Message);
    }

    [Fact]
    public void Construction_rejects_mixed_smoothing_and_a_zero_half_width_for_ws()
    {
        var e = Assert.Throws<ArgumentException>(() => new PceePolicy([Diagrams[0], Diagrams[1].Smooth(2)], 0.5));
        Assert.Contains("half-width 2", e.Message);
        var h = Assert.Throws<ArgumentOutOfRangeException>(() => PceePolicy.WithSmoothing(Diagrams, 0.5, 0));
        Assert.Contains("got 0", h.Message);
        Assert.Throws<ArgumentException>(() => new PceePolicy([], 0.5));
    }

    private static readonly Gen<ReliabilityDiagram> AnyDiagram =
        from bins in Gen.Choose(1, 12)
        from counts in Gen.ArrayOf(Gen.Choose(0, 3), bins) // 0 often: plenty of empty bins
        from percents in Gen.ArrayOf(Gen.Choose(0, 100), bins)
        select ReliabilityDiagram.FromCounts(counts, counts.Select((n, b) => n * percents[b] / 100).ToArray());

    private static readonly Arbitrary<(ReliabilityDiagram Diagram, float Confidence)> DiagramAndConfidence =
        (from d in AnyDiagram
         from c in Gen.Choose(0, 100)
         select (d, c / 100f)).ToArbitrary();

    [Property]
    public Property Delta_zero_exits_at_the_first_exit_iff_a_bin_at_or_below_C1_is_filled() =>
        Prop.ForAll(DiagramAndConfidence, x =>
        {
            int bin = ReliabilityDiagram.BinOf(x.Confidence, x.Diagram.BinCount);
            bool filledAtOrBelow = x.Diagram.Counts.Take(bin + 1).Any(n => n > 0);
            var policy = new PceePolicy([x.Diagram, x.Diagram], 0);
            int exit = ExitReplay.ExitIndex(policy, [Sig(x.Confidence), Sig(x.Confidence)]);
            return (exit == 0) == filledAtOrBelow;
        });

    private static readonly Arbitrary<(ReliabilityDiagram[] Diagrams, SignalValues[] Sample, double Low, double High)> PolicyCase =
        (from m in Gen.Choose(1, 5)
         from diagrams in Gen.ArrayOf(AnyDiagram, m)
         from percents in Gen.ArrayOf(Gen.Choose(0, 100), m)
         from a in Gen.Choose(0, 100)
         from b in Gen.Choose(0, 100)
         select (diagrams, percents.Select(p => Sig(p / 100f)).ToArray(), Math.Min(a, b) / 100.0, Math.Max(a, b) / 100.0))
        .ToArbitrary();

    [Property]
    public Property A_higher_delta_never_exits_earlier() =>
        // {m : RD_m(C_m) ≥ δ} shrinks as δ grows, so its first element can only move later.
        Prop.ForAll(PolicyCase, x =>
            ExitReplay.ExitIndex(new PceePolicy(x.Diagrams, x.Low), x.Sample)
            <= ExitReplay.ExitIndex(new PceePolicy(x.Diagrams, x.High), x.Sample));
}
