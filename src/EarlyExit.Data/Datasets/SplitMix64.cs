namespace EarlyExit.Data.Datasets;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014), a tiny seeded generator whose output is fixed by its
/// definition, unlike <see cref="Random"/>, whose algorithm .NET may change. Splits must stay
/// the same across runtime versions, or a model's test set would silently change.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>The next 64 random bits.</summary>
    internal ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A number in [0, <paramref name="bound"/>), by multiply-shift (Lemire 2019).</summary>
    internal int NextBelow(int bound) => (int)(((UInt128)Next() * (ulong)bound) >> 64);
}
