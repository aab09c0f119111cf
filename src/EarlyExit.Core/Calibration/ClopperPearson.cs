using MathNet.Numerics.Distributions;

namespace EarlyExit.Core.Calibration;

/// <summary>
/// One-sided Clopper–Pearson (exact binomial) confidence bounds on a success rate from c successes
/// in n trials: the bounds no binomial test at level γ would reject.
/// </summary>
public static class ClopperPearson
{
    /// <summary>
    /// The lower bound ℓ with P(Binomial(n, ℓ) ≥ c) = γ: the γ quantile of Beta(c, n − c + 1); 0 when c = 0.
    /// </summary>
    /// <param name="successes">c in [0, n].</param>
    /// <param name="trials">n ≥ 1.</param>
    /// <param name="gamma">γ in (0, 1): the true rate is below ℓ with probability at most γ.</param>
    public static double Lower(int successes, int trials, double gamma)
    {
        Check(successes, trials, gamma);
        return successes == 0 ? 0 : Beta.InvCDF(successes, trials - successes + 1, gamma);
    }

    /// <summary>
    /// The upper bound u with P(Binomial(n, u) ≤ c) = γ: the 1 − γ quantile of Beta(c + 1, n − c); 1 when c = n.
    /// </summary>
    /// <inheritdoc cref="Lower"/>
    public static double Upper(int successes, int trials, double gamma)
    {
        Check(successes, trials, gamma);
        return successes == trials ? 1 : Beta.InvCDF(successes + 1, trials - successes, 1 - gamma);
    }

    private static void Check(int successes, int trials, double gamma)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        if (!(gamma > 0 && gamma < 1))
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, $"γ must be between 0 and 1 (exclusive); got {gamma}");
    }
}
