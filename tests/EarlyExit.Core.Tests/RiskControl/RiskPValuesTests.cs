using EarlyExit.Core.RiskControl;
using EarlyExit.Core.Sampling;
using EarlyExit.Core.Tests.TestDoubles;

namespace EarlyExit.Core.Tests.RiskControl;

/// <summary>The p-values of docs/algorithms.md §5.1 against hand-worked binomial tails.</summary>
public sealed class RiskPValuesTests
{
    [Theory]
    // 0.9^10
    [InlineData(10, 0, 0.1, 0.3486784401)]
    // 0.9^10 + 10·0.1·0.9^9
    [InlineData(10, 1, 0.1, 0.7360989291)]
    // 0.8^20 + 20·0.2·0.8^19 + 190·0.04·0.8^18
    [InlineData(20, 2, 0.2, 0.20608471894847413)]
    // Σ_{j ≤ 3} C(100, j) 0.05^j 0.95^(100−j)
    [InlineData(100, 3, 0.05, 0.2578386591160153)]
    public void The_binomial_p_value_is_the_lower_tail(int n, int k, double epsilon, double expected) =>
        Assert.Equal(expected, RiskPValues.Binomial(n, k, epsilon), 10);

    [Fact]
    public void The_binomial_tail_holds_its_digits_at_a_million_samples()
    {
        // exp(log Σ_{j ≤ k} C(n, j) ε^j (1 − ε)^(n−j)), summed term by term in log space (Python, lgamma):
        // n = 10^6, ε = 0.02: k = 19,000 → 3.0632534570e-13; k = 19,900 → 0.2388058988.
        Assert.Equal(3.063253457048342e-13, RiskPValues.Binomial(1_000_000, 19_000, 0.02), 1e-20);
        Assert.Equal(0.23880589883768244, RiskPValues.Binomial(1_000_000, 19_900, 0.02), 8);
    }

    [Fact]
    public void Every_loss_is_no_evidence_at_all() => Assert.Equal(1.0, RiskPValues.Binomial(5, 5, 0.3));

    [Fact]
    public void Hoeffding_Bentkus_takes_the_smaller_bound()
    {
        // R̂ = 0, ε = 0.1, n = 100: Hoeffding exp(−100·h(0, 0.1)) = 0.9^100 = 2.656e-5;
        // Bentkus e·P(Bin(100, 0.1) ≤ 0) = e·0.9^100 = 7.220e-5. The smaller is Hoeffding's.
        Assert.Equal(2.6561398887587544e-05, RiskPValues.HoeffdingBentkus(100, 0, 0.1), 15);
        // R̂ ≥ ε: h(ε, ε) = 0, so Hoeffding says 1, and so does the min with 1.
        Assert.Equal(1.0, RiskPValues.HoeffdingBentkus(100, 0.2, 0.1));
    }

    [Fact]
    public void The_accuracy_gap_is_rescaled_to_0_1()
    {
        // A gap of −1 (every full-model answer wrong, every early one right) is ℓ' = 0 for all n = 50;
        // ε = 0.02 → ε' = 0.51: Hoeffding exp(50·log(0.49)) = 0.49^50; Bentkus e·0.49^50, larger.
        Assert.Equal(Math.Pow(0.49, 50), RiskPValues.AccuracyGap(50, -1, 0.02), Math.Pow(0.49, 50) * 1e-9);
        // No gap at all (R̂' = 0.5) against ε' = 0.51 is weak evidence at n = 50.
        Assert.True(RiskPValues.AccuracyGap(50, 0, 0.02) > 0.9);
    }

    [Fact]
    public void A_risk_of_epsilon_plus_two_points_is_rejected_no_more_often_than_the_exact_level_says()
    {
        // H is true (R = ε + 0.02), so each rejection is an error of the test. The test rejects when
        // k ≤ k*, the largest k with p(k) ≤ δ, so it errs with probability exactly P(Bin(n, R) ≤ k*),
        // which must be ≤ δ. 2,000 seeded draws of n Bernoulli(R) losses estimate it.
        const int n = 400, draws = 2000;
        const double epsilon = 0.05, delta = 0.1, risk = epsilon + 0.02;
        int kStar = -1;
        while (RiskPValues.Binomial(n, kStar + 1, epsilon) <= delta) kStar++;
        double exact = kStar < 0 ? 0 : RiskPValues.Binomial(n, kStar, risk);
        Assert.InRange(exact, 1e-3, delta); // the level holds, and rejections are not impossible

        var random = new SplitMix64(2024);
        int rejected = 0;
        for (int d = 0; d < draws; d++)
        {
            int losses = 0;
            for (int i = 0; i < n; i++)
                if (KnownRiskTraces.Uniform(ref random) < risk) losses++;
            if (RiskPValues.Binomial(n, losses, epsilon) <= delta) rejected++;
        }
        double rate = (double)rejected / draws;
        double error = 4 * Math.Sqrt(exact * (1 - exact) / draws); // 4 standard errors
        Assert.InRange(rate, exact - error, exact + error);
    }

    [Theory]
    [InlineData(0, 0, 0.1)]
    [InlineData(10, 11, 0.1)]
    [InlineData(10, -1, 0.1)]
    [InlineData(10, 1, 0.0)]
    [InlineData(10, 1, 1.0)]
    public void Out_of_range_arguments_are_refused(int n, int k, double epsilon) =>
        Assert.ThrowsAny<ArgumentException>(() => RiskPValues.Binomial(n, k, epsilon));
}
