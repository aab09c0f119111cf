using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Signals;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace EarlyExit.Core.Tests.Evaluation;

public class DifficultyInversionScoreTests
{
    // Right samples {0.9, 0.8, 0.7}, wrong {0.8, 0.6}.
    private static readonly float[] Values = [0.9f, 0.8f, 0.8f, 0.6f, 0.7f];
    private static readonly bool[] Right = [true, true, false, false, true];

    [Fact]
    public void MaxProb_CountsOrderedPairsWithTiesHalf()
    {
        // (right, wrong) pairs, right looks easier when its max-prob is higher:
        // (.9,.8) 1, (.9,.6) 1, (.8,.8) ½, (.8,.6) 1, (.7,.8) 0, (.7,.6) 1 → 4.5 / 6 = 0.75.
        Assert.Equal(0.75, DifficultyInversionScore.Compute(Values, Right, ExitSignal.MaxProb), 12);
    }

    [Fact]
    public void Entropy_IsOrientedLowerIsEasier()
    {
        // Same numbers read as entropies: a pair counts when the right one is LOWER:
        // (.9,.8) 0, (.9,.6) 0, (.8,.8) ½, (.8,.6) 0, (.7,.8) 1, (.7,.6) 0 → 1.5 / 6 = 0.25.
        Assert.Equal(0.25, DifficultyInversionScore.Compute(Values, Right, ExitSignal.Entropy), 12);
    }

    [Fact]
    public void AllTied_IsOneHalf()
    {
        Assert.Equal(0.5, DifficultyInversionScore.Compute([0.3f, 0.3f, 0.3f], [true, false, true], higherIsEasier: true), 12);
    }

    [Fact]
    public void OneGroupEmpty_IsNaN()
    {
        Assert.True(double.IsNaN(DifficultyInversionScore.Compute([0.3f, 0.5f], [true, true], ExitSignal.MaxProb)));
        Assert.True(double.IsNaN(DifficultyInversionScore.Compute([0.3f, 0.5f], [false, false], ExitSignal.MaxProb)));
    }

    [Fact]
    public void NaNValue_IsRejectedWithItsIndex()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            DifficultyInversionScore.Compute([0.3f, float.NaN], [true, false], ExitSignal.MaxProb));
        Assert.Contains("values[1] is NaN", e.Message);
    }

    [Fact]
    public void LengthMismatch_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            DifficultyInversionScore.Compute([0.3f, 0.4f], [true], ExitSignal.MaxProb));
        Assert.Contains("values holds 2 samples but correct holds 1", e.Message);
    }

    [Property(MaxTest = 200)]
    public Property RankSum_EqualsTheQuadraticPairCount()
    {
        // Few distinct values so ties are common.
        var samples = Gen.Choose(2, 40).SelectMany(n =>
                Gen.ArrayOf(Gen.Choose(0, 5).Select(v => v / 5f), n).SelectMany(values =>
                    Gen.ArrayOf(Gen.Elements(true, false), n).Select(right => (values, right))))
            .ToArbitrary();
        return Prop.ForAll(samples, sample =>
        {
            (float[] values, bool[] right) = sample;
            double pairs = 0, ordered = 0;
            for (int i = 0; i < values.Length; i++)
            {
                for (int j = 0; j < values.Length; j++)
                {
                    if (!right[i] || right[j]) continue;
                    pairs++;
                    ordered += values[i] > values[j] ? 1 : values[i] == values[j] ? 0.5 : 0;
                }
            }
            double actual = DifficultyInversionScore.Compute(values, right, higherIsEasier: true);
            return pairs == 0 ? double.IsNaN(actual) : Math.Abs(actual - (ordered / pairs)) < 1e-12;
        });
    }
}
