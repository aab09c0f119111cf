using EarlyExit.Core.Signals;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace EarlyExit.Core.Tests.Signals;

public class ExitSignalsTests
{
    // Signals are stored as float; 1e-6 is a few float ulps around 1.
    private const double Tolerance = 1e-6;

    [Fact]
    public void TwoClassesWithOddsThreeToOne()
    {
        // z = [0, ln 3]: Σ e^z = 1 + 3 = 4, p = [1/4, 3/4].
        // C = 0.75.
        // H = −(0.25 ln 0.25 + 0.75 ln 0.75) = 0.25·1.3862944 + 0.75·0.2876821 = 0.3465736 + 0.2157616 = 0.5623351.
        // H / ln 2 = 0.5623351 / 0.6931472 = 0.8112781.
        // E = −ln 4 = −1.3862944; σ(E) = 1 / (1 + 4) = 0.2.
        var s = ExitSignals.Compute([0f, MathF.Log(3f)]);

        Assert.Equal(1, s.Prediction);
        Assert.Equal(0.75, s.MaxProb, Tolerance);
        Assert.Equal(0.5623351446, s.Entropy, Tolerance);
        Assert.Equal(0.8112781245, s.NormalizedEntropy, Tolerance);
        Assert.Equal(-1.3862943611, s.Energy, Tolerance);
        Assert.Equal(0.2, s.NormalizedEnergy, Tolerance);
    }

    [Fact]
    public void ThreeEqualLogitsAreUniformAndTheTieGoesToTheFirstClass()
    {
        // z = [2, 2, 2]: p = [1/3, 1/3, 1/3]; C = 0.3333333; H = ln 3 = 1.0986123; H / ln 3 = 1.
        // lse = 2 + ln 3 = 3.0986123, E = −3.0986123; σ(E) = 1 / (1 + 3e²) = 1 / 23.1671683 = 0.0431645.
        // argmax of a tie is the first class: 0.
        var s = ExitSignals.Compute([2f, 2f, 2f]);

        Assert.Equal(0, s.Prediction);
        Assert.Equal(1.0 / 3.0, s.MaxProb, Tolerance);
        Assert.Equal(1.0986122887, s.Entropy, Tolerance);
        Assert.Equal(1.0, s.NormalizedEntropy, Tolerance);
        Assert.Equal(-3.0986122887, s.Energy, Tolerance);
        Assert.Equal(0.0431645330, s.NormalizedEnergy, Tolerance);
    }

    [Fact]
    public void TieBetweenLaterClassesGoesToTheFirstOfThem()
    {
        // z = [−1, 4, 0, 4]: the maximum 4 is at classes 1 and 3; the first, 1, wins.
        Assert.Equal(1, ExitSignals.Compute([-1f, 4f, 0f, 4f]).Prediction);
    }

    [Fact]
    public void SingleClassIsCertain()
    {
        // z = [5]: p = [1]; C = 1; H = 0; H / log C is 0/0, defined as 0.
        // E = −5; σ(E) = 1 / (1 + e⁵) = 1 / 149.4131591 = 0.0066928509.
        var s = ExitSignals.Compute([5f]);

        Assert.Equal(0, s.Prediction);
        Assert.Equal(1.0, s.MaxProb, Tolerance);
        Assert.Equal(0.0, s.Entropy, Tolerance);
        Assert.Equal(0.0, s.NormalizedEntropy);
        Assert.Equal(-5.0, s.Energy, Tolerance);
        Assert.Equal(0.0066928509, s.NormalizedEnergy, Tolerance);
    }

    [Fact]
    public void HugeOppositeLogitsGiveCertaintyWithoutOverflow()
    {
        // z = [1e4, −1e4]: e^{−2e4} underflows to 0, so p = [1, 0], C = 1, H = 0.
        // lse = 1e4 (+ ln(1 + e^{−2e4}) = 0), E = −1e4; σ(E) = e^{−1e4} / (1 + e^{−1e4}) = 0 in float.
        var s = ExitSignals.Compute([1e4f, -1e4f]);

        Assert.Equal(0, s.Prediction);
        Assert.Equal(1.0, s.MaxProb, Tolerance);
        Assert.Equal(0.0, s.Entropy, Tolerance);
        Assert.Equal(0.0, s.NormalizedEntropy, Tolerance);
        Assert.Equal(-1e4, s.Energy, Tolerance);
        Assert.Equal(0.0, s.NormalizedEnergy);
    }

    [Fact]
    public void HugeEqualLogitsStayUniform()
    {
        // z = [1e30, 1e30]: shifting by the max gives [0, 0], p = [0.5, 0.5], C = 0.5, H = ln 2 = 0.6931472,
        // H / ln 2 = 1. lse = 1e30 + ln 2 = 1e30 in float, E = −1e30; σ(E) = 0.
        var s = ExitSignals.Compute([1e30f, 1e30f]);

        Assert.Equal(0.5, s.MaxProb, Tolerance);
        Assert.Equal(0.6931471806, s.Entropy, Tolerance);
        Assert.Equal(1.0, s.NormalizedEntropy, Tolerance);
        Assert.Equal(-1e30f, s.Energy);
        Assert.Equal(0.0, s.NormalizedEnergy);
    }

    [Fact]
    public void HugeNegativeLogitsGiveNormalizedEnergyOne()
    {
        // z = [−1e30, −1e30]: p = [0.5, 0.5]; lse = −1e30, E = 1e30; σ(E) = 1 / (1 + e^{−1e30}) = 1.
        var s = ExitSignals.Compute([-1e30f, -1e30f]);

        Assert.Equal(0.5, s.MaxProb, Tolerance);
        Assert.Equal(1e30f, s.Energy);
        Assert.Equal(1.0, s.NormalizedEnergy);
        Assert.True(float.IsFinite(s.Entropy));
    }

    [Fact]
    public void ProbabilitiesDependOnlyOnLogitDifferencesAtAnyOffset()
    {
        // z = [−10000, −9999] is [0, 1] shifted by −10000: p = [1/(1+e), e/(1+e)] = [0.2689414, 0.7310586].
        // H = lse₀ − Σ p z = ln(1+e) − 0.7310586 = 1.3132617 − 0.7310586 = 0.5822031; H / ln 2 = 0.8399415.
        // E = 10000 − ln(1+e) = 9998.6867383: float spacing there is ~0.001, hence the looser tolerance.
        // σ(E) = 1 / (1 + e^{−9998.69}) = 1.
        var s = ExitSignals.Compute([-1e4f, -9999f]);

        Assert.Equal(1, s.Prediction);
        Assert.Equal(0.7310585786, s.MaxProb, Tolerance);
        Assert.Equal(0.5822031089, s.Entropy, Tolerance);
        Assert.Equal(0.8399415380, s.NormalizedEntropy, Tolerance);
        Assert.Equal(9998.6867383, s.Energy, 1e-3);
        Assert.Equal(1.0, s.NormalizedEnergy);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteLogitThrowsNamingSampleExitAndClass(float bad)
    {
        var ex = Assert.Throws<InvalidLogitsException>(() => ExitSignals.Compute([0f, bad, 1f], sample: 3, exit: 2));

        Assert.Equal(3, ex.Sample);
        Assert.Equal(2, ex.Exit);
        Assert.Equal(1, ex.ClassIndex);
        Assert.Equal(bad, ex.Value);
        Assert.Contains("sample 3", ex.Message);
        Assert.Contains("exit 2", ex.Message);
        Assert.Contains("class 1", ex.Message);
    }

    [Fact]
    public void NonFiniteLogitWithoutPositionSaysUnknown()
    {
        var ex = Assert.Throws<InvalidLogitsException>(() => ExitSignals.Compute([float.NaN]));

        Assert.Equal(-1, ex.Sample);
        Assert.Contains("sample ?", ex.Message);
        Assert.Contains("exit ?", ex.Message);
    }

    [Fact]
    public void EmptyLogitsThrow()
    {
        var ex = Assert.Throws<ArgumentException>(() => ExitSignals.Compute(ReadOnlySpan<float>.Empty));
        Assert.Equal("logits", ex.ParamName);
        Assert.Contains("got 0", ex.Message);
    }

    [Fact]
    public void SingleSignalOverloadMatchesTheFullComputation()
    {
        float[] z = [0f, MathF.Log(3f)];
        var all = ExitSignals.Compute(z);

        foreach (ExitSignal signal in Enum.GetValues<ExitSignal>())
            Assert.Equal(all[signal], ExitSignals.Compute(signal, z));
        Assert.Equal(0.75, ExitSignals.Compute(ExitSignal.MaxProb, z), Tolerance);
    }

    [Fact]
    public void OnlyMaxProbIsAConfidence()
    {
        Assert.True(ExitSignals.IsConfidence(ExitSignal.MaxProb));
        Assert.False(ExitSignals.IsConfidence(ExitSignal.Entropy));
        Assert.False(ExitSignals.IsConfidence(ExitSignal.NormalizedEntropy));
        Assert.False(ExitSignals.IsConfidence(ExitSignal.Energy));
        Assert.False(ExitSignals.IsConfidence(ExitSignal.NormalizedEnergy));
    }

    [Fact]
    public void BatchMatchesRowByRow()
    {
        // Rows (batch 3, classes 2): [0, ln 3] → p₁ = 0.75; [2, 2] → 0.5; [1e4, −1e4] → 1.
        float[] logits = [0f, MathF.Log(3f), 2f, 2f, 1e4f, -1e4f];
        var batch = new SignalValues[3];

        ExitSignals.ComputeBatch(logits, classes: 2, batch, exit: 4, firstSample: 10);

        for (int row = 0; row < 3; row++)
            Assert.Equal(ExitSignals.Compute(logits.AsSpan(row * 2, 2)), batch[row]);
        Assert.Equal(0.75, batch[0].MaxProb, Tolerance);
        Assert.Equal(0.5, batch[1].MaxProb, Tolerance);
        Assert.Equal(1.0, batch[2].MaxProb, Tolerance);
    }

    [Fact]
    public void BatchErrorNamesTheSampleInTheDataSet()
    {
        // The bad value is row 1 of a batch that starts at sample 10, so it is sample 11.
        float[] logits = [0f, 1f, 2f, float.NaN];

        var ex = Assert.Throws<InvalidLogitsException>(() =>
            ExitSignals.ComputeBatch(logits, classes: 2, new SignalValues[2], exit: 4, firstSample: 10));

        Assert.Equal(11, ex.Sample);
        Assert.Equal(4, ex.Exit);
        Assert.Equal(1, ex.ClassIndex);
    }

    [Fact]
    public void BatchWithMismatchedLengthsThrows()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            ExitSignals.ComputeBatch(new float[5], classes: 2, new SignalValues[3]));

        Assert.Equal("logits", ex.ParamName);
        Assert.Contains("5", ex.Message);
        Assert.Contains("needs 6", ex.Message);
    }

    [Fact]
    public void BatchWithNoClassesThrows() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ExitSignals.ComputeBatch([], classes: 0, Span<SignalValues>.Empty));

    // Synthetic logits for the properties: C ∈ [1, 10] integers in [−50, 50] (e^50 fits a double,
    // so the naive formulas below are exact enough), and an integer shift, exact in float.
    private static readonly Gen<float[]> SmallLogits =
        from classes in Gen.Choose(1, 10)
        from z in Gen.ArrayOf(Gen.Choose(-50, 50), classes)
        select z.Select(v => (float)v).ToArray();

    [Property(MaxTest = 300)]
    public Property MatchesTheTextbookFormulasOnModerateLogits() => Prop.ForAll(Arb.From(SmallLogits), z =>
    {
        // p_c = e^{z_c} / Σ e^z directly, H = −Σ p log p (0·log 0 = 0), E = −log Σ e^z, σ(E) = 1 / (1 + Σ e^z).
        double sum = z.Sum(v => Math.Exp(v));
        double[] p = [.. z.Select(v => Math.Exp(v) / sum)];
        double h = -p.Where(x => x > 0).Sum(x => x * Math.Log(x));
        int argmax = Array.IndexOf(z, z.Max());
        var s = ExitSignals.Compute(z);

        return s.Prediction == argmax
            && Math.Abs(s.MaxProb - p.Max()) <= Tolerance
            && Math.Abs(s.Entropy - h) <= Tolerance
            && Math.Abs(s.NormalizedEntropy - (z.Length > 1 ? h / Math.Log(z.Length) : 0)) <= Tolerance
            && Math.Abs(s.Energy + Math.Log(sum)) <= 1e-6 * Math.Max(1, Math.Abs(Math.Log(sum)))
            && Math.Abs(s.NormalizedEnergy - 1 / (1 + sum)) <= Tolerance;
    });

    [Property(MaxTest = 300)]
    public Property ShiftingEveryLogitMovesOnlyTheEnergy() => Prop.ForAll(
        Arb.From(from z in SmallLogits from k in Gen.Choose(-1000, 1000) select (z, k)),
        t =>
        {
            // softmax(z + k) = softmax(z), so C and H are unchanged; E(z + k) = E(z) − k.
            // E is near 1000 in float, where the spacing is 6e-5: hence 1e-4.
            var s = ExitSignals.Compute(t.z);
            var shifted = ExitSignals.Compute([.. t.z.Select(v => v + t.k)]);
            return shifted.Prediction == s.Prediction
                && Math.Abs(shifted.MaxProb - s.MaxProb) <= Tolerance
                && Math.Abs(shifted.Entropy - s.Entropy) <= Tolerance
                && Math.Abs(shifted.NormalizedEntropy - s.NormalizedEntropy) <= Tolerance
                && Math.Abs(shifted.Energy - (s.Energy - t.k)) <= 1e-4;
        });

    [Fact]
    public void Softmax_MatchesHandValues_AndSurvivesHugeLogits()
    {
        // z = [0, ln 3]: e^0 = 1, e^{ln 3} = 3, sum 4 → p = [0.25, 0.75].
        var p = ExitSignals.Softmax([0f, MathF.Log(3f)]);
        Assert.Equal(0.25, p[0], 6);
        Assert.Equal(0.75, p[1], 6);
        // Shifted by 1e30 the naive exp overflows; with the max subtracted: p = [1, 0].
        var huge = ExitSignals.Softmax([1e30f, 0f]);
        Assert.Equal(1.0, huge[0], 6);
        Assert.Equal(0.0, huge[1], 6);
        Assert.Throws<InvalidLogitsException>(() => ExitSignals.Softmax([0f, float.NaN]));
    }
}
