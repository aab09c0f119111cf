namespace EarlyExit.Core.Sampling;

/// <summary>
/// The one seeded shuffle of the solution: Fisher–Yates driven by <see cref="SplitMix64"/>, so an
/// order or a subset drawn from a seed is the same on every machine and every .NET version. The
/// data splits, the training subset of <c>--train-limit</c>, the trainer's epoch orders and the
/// benchmarks' samples all draw through it.
/// </summary>
/// <remarks>
/// <para>An instance keeps one stream: successive <see cref="Shuffle{T}(Span{T})"/> calls draw
/// on from where the last one stopped (the splitter shuffles each label's groups in turn that way).
/// The static helpers start a fresh stream from their seed.</para>
/// <para>Fisher–Yates: for i from n − 1 down to 1, swap item i with item j, j drawn uniformly from
/// [0, i] (<see cref="SplitMix64.NextBelow"/>); each of the n! orders is equally likely.</para>
/// </remarks>
/// <param name="seed">The seed of the stream.</param>
public sealed class SeededShuffle(ulong seed)
{
    private SplitMix64 _random = new(seed);

    /// <summary>Shuffles <paramref name="items"/> in place, drawing n − 1 numbers from the stream.</summary>
    /// <param name="items">The items to put in a random order.</param>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = _random.NextBelow(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>0, 1, …, <paramref name="count"/> − 1 in the order the seed gives.</summary>
    /// <param name="count">At least 0.</param>
    /// <param name="seed">The seed.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public static int[] Permutation(int count, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int[] order = [.. Enumerable.Range(0, count)];
        new SeededShuffle(seed).Shuffle(order.AsSpan());
        return order;
    }

    /// <summary>
    /// A random subset of <paramref name="count"/> of <paramref name="items"/>, in their original
    /// order: the first <paramref name="count"/> indices of <see cref="Permutation"/>.
    /// </summary>
    /// <param name="items">The items to draw from.</param>
    /// <param name="count">How many to keep, from 0 to the number of items.</param>
    /// <param name="seed">The seed.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or above the number of items.</exception>
    public static List<T> Sample<T>(IReadOnlyList<T> items, int count, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, items.Count);
        // The original order, so a subset reads like the split it came from; one seed gives one
        // order, so a larger subset holds every item of a smaller one.
        return [.. Permutation(items.Count, seed).Take(count).Order().Select(i => items[i])];
    }
}
