using MathNet.Numerics;

namespace EarlyExit.Core.RiskControl;

/// <summary>
/// Valid p-values for the null hypothesis H: R(λ) &gt; ε from n calibration losses
/// (docs/algorithms.md §5.1): small when the observed risk is well below ε.
/// </summary>
/// <remarks>
/// The binomial tail is the regularised incomplete beta function,
/// P(Binomial(n, ε) ≤ k) = I_{1−ε}(n − k, k + 1), from Math.NET Numerics (a continued fraction in
/// log space, so n up to 10⁶ and tails far below 10⁻³⁰⁰ neither overflow nor lose the digits
/// that matter near δ). The tests check it against hand-worked sums.
/// </remarks>
public static class RiskPValues
{
    /// <summary>
    /// P(Binomial(n, ε) ≤ k): the exact p-value of k losses among n 0/1 losses under R = ε,
    /// valid for every R &gt; ε since the tail only shrinks as R grows.
    /// </summary>
    /// <param name="n">Calibration samples, ≥ 1.</param>
    /// <param name="losses">k, samples with loss 1, in [0, n].</param>
    /// <param name="epsilon">ε in (0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static double Binomial(int n, int losses, double epsilon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(losses);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(losses, n);
        RequireOpenUnit(epsilon, nameof(epsilon));
        if (losses == n) return 1;
        return Math.Clamp(SpecialFunctions.BetaRegularized(n - losses, losses + 1, 1 - epsilon), 0, 1);
    }

    /// <summary>
    /// The Hoeffding–Bentkus p-value for a mean of n losses in [0, 1] (Bates et al. 2021):
    /// min(exp(−n·h(min(R̂, ε), ε)), e·P(Binomial(n, ε) ≤ ⌈n·R̂⌉)),
    /// h(a, b) = a·log(a/b) + (1 − a)·log((1 − a)/(1 − b)).
    /// </summary>
    /// <param name="n">Calibration samples, ≥ 1.</param>
    /// <param name="meanLoss">R̂ in [0, 1], the mean loss (already rescaled to [0, 1]).</param>
    /// <param name="epsilon">ε in (0, 1), on the same scale.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static double HoeffdingBentkus(int n, double meanLoss, double epsilon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (!(meanLoss >= 0 && meanLoss <= 1))
            throw new ArgumentOutOfRangeException(nameof(meanLoss), meanLoss, $"the mean loss must be in [0, 1]; got {meanLoss}");
        RequireOpenUnit(epsilon, nameof(epsilon));
        double hoeffding = Math.Exp(-n * KullbackLeibler(Math.Min(meanLoss, epsilon), epsilon));
        // ⌈n·R̂⌉ with a little slack for the rounding of a mean that was a count over n.
        int k = (int)Math.Min(n, Math.Ceiling((n * meanLoss) - 1e-9));
        double bentkus = Math.E * Binomial(n, k, epsilon);
        return Math.Min(1, Math.Min(hoeffding, bentkus));
    }

    /// <summary>
    /// The accuracy-gap p-value (§5.1): losses ℓ ∈ {−1, 0, 1} rescaled to ℓ' = (ℓ + 1)/2, so the
    /// mean gap R̂ becomes (R̂ + 1)/2 and ε becomes (ε + 1)/2, then <see cref="HoeffdingBentkus"/>.
    /// </summary>
    /// <param name="n">Calibration samples, ≥ 1.</param>
    /// <param name="meanGap">R̂ in [−1, 1]: (wrong early answers − wrong full-model answers) / n.</param>
    /// <param name="epsilon">ε in (0, 1), the gap allowed.</param>
    public static double AccuracyGap(int n, double meanGap, double epsilon)
    {
        if (!(meanGap >= -1 && meanGap <= 1))
            throw new ArgumentOutOfRangeException(nameof(meanGap), meanGap, $"the mean accuracy gap must be in [−1, 1]; got {meanGap}");
        return HoeffdingBentkus(n, (meanGap + 1) / 2, (epsilon + 1) / 2);
    }

    /// <summary>
    /// The accuracy-gap p-value the risk control uses (our choice, docs/algorithms.md §5.2): the
    /// smaller of <see cref="AccuracyGap"/> and the exact binomial test on the lost answers (final
    /// exit right, early answer wrong), doubled (Bonferroni), capped at 1.
    /// </summary>
    /// <remarks>
    /// The gap ℓ = 1[early wrong] − 1[full wrong] is at most u = 1[early wrong ∧ full right] for every
    /// sample, so R_gap &gt; ε implies E[u] &gt; ε and the binomial tail of the u-count is a valid
    /// p-value for the gap's null too. It is far sharper: Hoeffding–Bentkus sees losses in [−1, 1]
    /// rescaled to [0, 1], centred near ½, where a bound must allow for the largest variance, while
    /// u is a rare 0/1 event. Either p-value alone is valid; the minimum of two needs the factor 2.
    /// </remarks>
    /// <param name="n">Calibration samples, ≥ 1.</param>
    /// <param name="meanGap">R̂ in [−1, 1].</param>
    /// <param name="lost">Samples with u = 1, in [0, n].</param>
    /// <param name="epsilon">ε in (0, 1).</param>
    public static double AccuracyGapWithLosses(int n, double meanGap, int lost, double epsilon) =>
        Math.Min(1, 2 * Math.Min(AccuracyGap(n, meanGap, epsilon), Binomial(n, lost, epsilon)));

    /// <summary>h(a, b), the Bernoulli KL divergence, with 0·log 0 = 0.</summary>
    private static double KullbackLeibler(double a, double b) =>
        (a > 0 ? a * Math.Log(a / b) : 0) + (a < 1 ? (1 - a) * Math.Log((1 - a) / (1 - b)) : 0);

    private static void RequireOpenUnit(double value, string name)
    {
        if (!(value > 0 && value < 1))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between 0 and 1 (exclusive); got {value}");
    }
}
