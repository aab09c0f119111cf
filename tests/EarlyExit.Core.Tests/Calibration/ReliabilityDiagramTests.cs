using EarlyExit.Core.Calibration;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace EarlyExit.Core.Tests.Calibration;

public class ReliabilityDiagramTests
{
    [Fact]
    public void Build_counts_samples_per_bin_with_edges_and_1_in_the_right_bins()
    {
        // B = 10, bins [0, .1), [.1, .2), …, [.9, 1] (the last bin holds 1.0).
        //   1.0 → bin 9 (right); .95 → bin 9 (wrong); .3 exactly → bin 3 (wrong, the edge belongs
        //   to the bin above); .2999 → bin 2 (right); 0 → bin 0 (right).
        var d = ReliabilityDiagram.Build([1.0, 0.95, 0.3, 0.2999, 0.0], [true, false, false, true, true]);
        Assert.Equal(10, d.BinCount);
        Assert.Equal(5, d.SampleCount);
        Assert.Equal([1, 0, 1, 1, 0, 0, 0, 0, 0, 2], d.Counts.ToArray());
        Assert.Equal([1, 0, 1, 0, 0, 0, 0, 0, 0, 1], d.CorrectCounts.ToArray());
        // Accuracy: bin 0 = 1/1, bin 2 = 1/1, bin 3 = 0/1, bin 9 = 1/2; the rest empty (NaN).
        double[] expected = [1, double.NaN, 1, 0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0.5];
        Assert.Equal(expected, d.BinAccuracies.ToArray());
        Assert.Equal(0, d.SmoothingHalfWidth);
    }

    [Fact]
    public void BinOf_puts_every_edge_k_over_B_in_bin_k_even_where_C_times_B_rounds_down()
    {
        // (1/49)·49 = 0.99999999999999989 in doubles, so ⌊C·B⌋ alone would put the edge 1/49 in bin 0.
        Assert.Equal(1, ReliabilityDiagram.BinOf(1 / 49.0, 49));
        foreach (int bins in new[] { 3, 7, 10, 15, 49, 100 })
        {
            for (int k = 0; k < bins; k++)
            {
                Assert.Equal(k, ReliabilityDiagram.BinOf(k / (double)bins, bins));
                Assert.Equal(Math.Max(0, k - 1), ReliabilityDiagram.BinOf(Math.BitDecrement(k / (double)bins), bins));
            }
            Assert.Equal(bins - 1, ReliabilityDiagram.BinOf(1.0, bins));
        }
    }

    [Fact]
    public void Accuracy_of_an_empty_bin_is_the_nearest_non_empty_bin_below_or_NaN()
    {
        // B = 5: counts [0, 4, 0, 2, 0], correct [0, 3, 0, 2, 0] → acc bin 1 = .75, bin 3 = 1.
        var d = ReliabilityDiagram.FromCounts([0, 4, 0, 2, 0], [0, 3, 0, 2, 0]);
        Assert.True(double.IsNaN(d.Accuracy(0.1)));   // bin 0 empty, nothing below: do not exit
        Assert.Equal(0.75, d.Accuracy(0.3));           // bin 1 itself
        Assert.Equal(0.75, d.Accuracy(0.5));           // bin 2 empty → bin 1
        Assert.Equal(1.0, d.Accuracy(0.7));            // bin 3 itself
        Assert.Equal(1.0, d.Accuracy(1.0));            // bin 4 empty → bin 3 (not bin 1)
        Assert.True(double.IsNaN(d.Accuracy(double.NaN)));
    }

    [Fact]
    public void Smooth_averages_neighbours_with_count_times_triangular_kernel_weights()
    {
        // B = 5: counts [0, 4, 2, 0, 10], correct [0, 4, 0, 0, 5]. h = 1: K(0) = 1, K(±1) = 1 − 1/2 = .5.
        //   bin 1: (1·4 + .5·0) / (1·4 + .5·2) = 4/5 = .8          (bin 0 is empty: weight 0)
        //   bin 2: (.5·4 + 1·0 + .5·0) / (.5·4 + 1·2 + .5·0) = 2/4 = .5
        //   bin 4: (.5·0 + 1·5) / (.5·0 + 1·10) = .5
        //   bins 0, 3 stay empty.
        var d = ReliabilityDiagram.FromCounts([0, 4, 2, 0, 10], [0, 4, 0, 0, 5]);
        var s1 = d.Smooth(1);
        Assert.Equal(1, s1.SmoothingHalfWidth);
        Assert.True(double.IsNaN(s1.BinAccuracies[0]));
        Assert.Equal(0.8, s1.BinAccuracies[1], 12);
        Assert.Equal(0.5, s1.BinAccuracies[2], 12);
        Assert.True(double.IsNaN(s1.BinAccuracies[3]));
        Assert.Equal(0.5, s1.BinAccuracies[4], 12);
        Assert.Equal(0.5, s1.Accuracy(0.7), 12);         // empty bin 3 → smoothed bin 2
        Assert.Equal(d.Counts.ToArray(), s1.Counts.ToArray());                // counts are kept

        // h = 2: K(1) = 1 − 1/3 = 2/3, K(2) = 1/3. Bin 2: (2/3·4 + 0 + 1/3·5) / (2/3·4 + 2 + 1/3·10)
        //   = (13/3) / (24/3) = 13/24.
        Assert.Equal(13.0 / 24, d.Smooth(2).BinAccuracies[2], 12);
        // Smoothing restarts from the raw counts: smoothing twice equals smoothing once.
        Assert.Equal(s1.BinAccuracies.ToArray(), s1.Smooth(1).BinAccuracies.ToArray());
        // h = 0 is the plain diagram.
        Assert.Equal(d.BinAccuracies.ToArray(), d.Smooth(0).BinAccuracies.ToArray());
    }

    [Fact]
    public void Bad_inputs_are_rejected_naming_the_value()
    {
        var c = Assert.Throws<ArgumentOutOfRangeException>(() => ReliabilityDiagram.Build([0.5, 1.2], [true, true]));
        Assert.Contains("confidences[1] must be in [0, 1]; got 1.2", c.Message);
        var k = Assert.Throws<ArgumentOutOfRangeException>(() => ReliabilityDiagram.FromCounts([3, 1], [1, 2]));
        Assert.Contains("correctCounts[1] must be between 0 and counts[1] = 1; got 2", k.Message);
        var h = Assert.Throws<ArgumentOutOfRangeException>(() => ReliabilityDiagram.FromCounts([1], [1]).Smooth(-1));
        Assert.Contains("halfWidth must be ≥ 0 bins; got -1", h.Message);
        Assert.Throws<ArgumentException>(() => ReliabilityDiagram.Build([0.5], [true, false]));
        Assert.Throws<ArgumentException>(() => ReliabilityDiagram.Build([], []));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReliabilityDiagram.Build([0.5], [true], bins: 0));
    }

    private static readonly Arbitrary<(int[] Counts, int[] Correct, int HalfWidth)> CountsAndHalfWidth =
        (from bins in Gen.Choose(1, 12)
         from counts in Gen.ArrayOf(Gen.Choose(0, 20), bins)
         from fractions in Gen.ArrayOf(Gen.Choose(0, 100), bins)
         from h in Gen.Choose(0, 4)
         select (counts, counts.Select((n, b) => n * fractions[b] / 100).ToArray(), h)).ToArbitrary();

    [Property]
    public Property Smoothed_accuracy_stays_within_the_neighbours_accuracies() =>
        // A weighted average of the non-empty neighbours' accuracies lies between their min and max.
        Prop.ForAll(CountsAndHalfWidth, c =>
        {
            var plain = ReliabilityDiagram.FromCounts(c.Counts, c.Correct);
            var smooth = plain.Smooth(c.HalfWidth);
            for (int b = 0; b < c.Counts.Length; b++)
            {
                if (c.Counts[b] == 0)
                {
                    if (!double.IsNaN(smooth.BinAccuracies[b])) return false;
                    continue;
                }
                var near = Enumerable.Range(Math.Max(0, b - c.HalfWidth), Math.Min(c.Counts.Length - 1, b + c.HalfWidth) - Math.Max(0, b - c.HalfWidth) + 1)
                    .Where(j => c.Counts[j] > 0).Select(j => plain.BinAccuracies[j]).ToArray();
                double a = smooth.BinAccuracies[b];
                if (a < near.Min() - 1e-12 || a > near.Max() + 1e-12) return false;
            }
            return true;
        });
}
