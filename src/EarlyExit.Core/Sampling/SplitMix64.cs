namespace EarlyExit.Core.Sampling;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014), a tiny seeded generator whose output is fixed by its
/// definition, unlike <see cref="Random"/>, whose algorithm .NET may change. Whatever is drawn
/// from a seed (a data split, a training subset, an epoch's order) must stay the same across
/// runtime versions, or a model's test set or a resumed run would silently change.
/// </summary>
/// <param name="seed">The starting state; every seed, 0 included, gives a full-period stream.</param>
/// <remarks>A mutable struct: pass it by <see langword="ref"/>, or a copy draws the same numbers again.</remarks>
public struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// A number in [0, <paramref name="bound"/>), each equally likely: the high word of
    /// <c>Next() × bound</c>, redrawn when the low word falls below 2⁶⁴ mod bound (Lemire 2019).
    /// </summary>
    /// <param name="bound">At least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bound"/> is below 1.</exception>
    /// <remarks>
    /// Without the redraw, 2⁶⁴ mod bound of the results would come once more often than the rest.
    /// The redraw happens with probability below bound / 2⁶⁴, so for any bound an int can hold the
    /// results are, in practice, those of the plain multiply-shift.
    /// </remarks>
    public int NextBelow(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, 1);
        ulong range = (ulong)bound;
        UInt128 product = (UInt128)Next() * range;
        if ((ulong)product < range)
        {
            // 2⁶⁴ mod range without 128-bit division: (2⁶⁴ − range) mod range.
            ulong threshold = (0UL - range) % range;
            while ((ulong)product < threshold)
                product = (UInt128)Next() * range;
        }
        return (int)(product >> 64);
    }
}
