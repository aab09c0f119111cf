using EarlyExit.Core.Sampling;
using EarlyExit.Core.Traces;

namespace EarlyExit.Core.Tests.TestDoubles;

/// <summary>
/// Synthetic two-exit traces whose risk under a max-prob threshold is known in closed form, for the
/// risk-control tests: exit 0's max-prob u ~ U(0.5, 1), and it disagrees with the final exit with
/// probability q(u) = 0.8·(1 − u); labels and final answers are all 0. A threshold τ ≥ 0.5 lets
/// out u ≥ τ, so the true disagreement (and error) risk is R(τ) = 2∫_τ^1 0.8(1 − u) du = 0.8(1 − τ)²,
/// and 0.2 (the mean of q) below 0.5.
/// </summary>
internal static class KnownRiskTraces
{
    /// <summary>R(τ), the true risk of max-prob τ.</summary>
    public static double TrueRisk(double tau) => tau >= 0.5 ? 0.8 * Math.Pow(1 - tau, 2) : 0.2;

    /// <summary>n samples drawn from <paramref name="random"/>.</summary>
    public static ExitTrace Draw(int n, ref SplitMix64 random)
    {
        var exits = new (int, double)[n][];
        for (int i = 0; i < n; i++)
        {
            double u = Math.Min(0.999999, 0.5 + (0.5 * Uniform(ref random)));
            exits[i] = [(Uniform(ref random) < 0.8 * (1 - u) ? 1 : 0, u), (0, 0.9)];
        }
        return HandTraces.Binary(new int[n], exits);
    }

    /// <summary>A uniform double in [0, 1) from the top 53 bits.</summary>
    public static double Uniform(ref SplitMix64 random) => (random.Next() >> 11) * (1.0 / (1UL << 53));
}
