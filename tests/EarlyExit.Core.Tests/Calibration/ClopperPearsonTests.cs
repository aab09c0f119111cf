using EarlyExit.Core.Calibration;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;

namespace EarlyExit.Core.Tests.Calibration;

/// <summary>Clopper–Pearson bounds against hand-worked values, and PCEE with bounds (docs/algorithms.md §5).</summary>
public sealed class ClopperPearsonTests
{
    [Theory]
    // c = n: P(Bin(n, ℓ) ≥ n) = ℓ^n = γ → ℓ = γ^(1/n); 0.05^(1/3) = 0.368403.
    [InlineData(3, 3, 0.3684031498640387)]
    // 7 of 10, by bisection on P(Bin(10, ℓ) ≥ 7) = 0.05 (Python, exact sums).
    [InlineData(7, 10, 0.3933757838945865)]
    [InlineData(0, 10, 0.0)]
    public void Lower_bounds(int c, int n, double expected) => Assert.Equal(expected, ClopperPearson.Lower(c, n, 0.05), 9);

    [Theory]
    // c = 0: (1 − u)^n = γ → u = 1 − 0.05^(1/10) = 0.258866.
    [InlineData(0, 10, 0.2588655508395574)]
    // 5 of 10, by bisection on P(Bin(10, u) ≤ 5) = 0.05.
    [InlineData(5, 10, 0.7775588989918709)]
    [InlineData(10, 10, 1.0)]
    public void Upper_bounds(int c, int n, double expected) => Assert.Equal(expected, ClopperPearson.Upper(c, n, 0.05), 9);

    [Fact]
    public void A_sparse_perfect_bin_stops_passing_delta_by_luck()
    {
        // Exit 0's bin [0.9, 1) holds 3 samples, all right: plain PCEE reads 1.0 and exits at δ = 0.9;
        // with bounds it reads 0.05^(1/3) = 0.368 and does not. The bin [0.8, 0.9) of 200 with 190 right
        // keeps most of its accuracy (0.95 → its bound ≈ 0.92) and still passes δ = 0.9.
        int[] counts = [0, 0, 0, 0, 0, 0, 0, 0, 200, 3];
        int[] correct = [0, 0, 0, 0, 0, 0, 0, 0, 190, 3];
        var exit0 = ReliabilityDiagram.FromCounts(counts, correct);
        var last = ReliabilityDiagram.FromCounts([0, 0, 0, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        var plain = new PceePolicy([exit0, last], 0.9);
        var bounded = PceePolicy.WithLowerBounds([exit0, last], 0.9);

        Assert.Equal(PceePolicy.BoundedName, bounded.Name);
        Assert.Equal(0.05, bounded.Diagrams[0].BoundLevel);
        Assert.Equal(0.3684031498640387, bounded.Diagrams[0].Accuracy(0.95), 9);
        Assert.InRange(bounded.Diagrams[0].Accuracy(0.85), 0.9, 0.95);
        Assert.Equal(1.0, plain.Diagrams[0].Accuracy(0.95));
        // Counts are kept: the bound is rebuilt from them.
        Assert.Equal(counts, bounded.Diagrams[0].Counts.ToArray());
    }

    [Fact]
    public void Bounded_and_plain_diagrams_do_not_mix_in_one_policy()
    {
        var d = ReliabilityDiagram.FromCounts([1, 1], [1, 0]);
        Assert.Contains("bounded at γ", Assert.Throws<ArgumentException>(() => new PceePolicy([d, d.LowerBounds()], 0.5)).Message);
    }
}
