using EarlyExit.Core.Sampling;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace EarlyExit.Core.Tests.Sampling;

public sealed class SeededShuffleTests
{
    // 62-bit seeds: two draws of 31 bits each.
    private static readonly Gen<ulong> Seeds =
        from high in Gen.Choose(0, int.MaxValue)
        from low in Gen.Choose(0, int.MaxValue)
        select ((ulong)high << 31) | (uint)low;

    [Property(MaxTest = 300)]
    public Property IsAPermutation() => Prop.ForAll(
        Arb.From(from count in Gen.Choose(0, 200) from seed in Seeds select (count, seed)),
        p => SeededShuffle.Permutation(p.count, p.seed).Order().SequenceEqual(Enumerable.Range(0, p.count)));

    [Property(MaxTest = 100)]
    public Property TheSameSeedGivesTheSameOrder() => Prop.ForAll(Arb.From(Seeds),
        seed => SeededShuffle.Permutation(100, seed).SequenceEqual(SeededShuffle.Permutation(100, seed)));

    [Property(MaxTest = 100)]
    public Property DifferentSeedsGiveDifferentOrders() => Prop.ForAll(Arb.From(Seeds),
        // Two random orders of 100 agree with probability 1 / 100!.
        seed => !SeededShuffle.Permutation(100, seed).SequenceEqual(SeededShuffle.Permutation(100, seed + 1)));

    [Fact]
    public void FourItemsFromSeedZero_AsWorkedOutByHand()
    {
        // SplitMix64 from state 0 gives x₁ = 0xE220A8397B1DCDAF, x₂ = 0x6E789E6AA1B965F4,
        // x₃ = 0x06C45D188009454F (splitmix64.c's reference outputs). Fisher–Yates on [0, 1, 2, 3]:
        // i = 3: j = ⌊x₁ · 4 / 2⁶⁴⌋ = x₁'s top two bits, 0xE = 0b1110 → 0b11 = 3; swap 3 with 3: [0, 1, 2, 3].
        // i = 2: j = ⌊x₂ · 3 / 2⁶⁴⌋; x₂ / 2⁶⁴ ≈ 0x6E78 / 0x10000 = 28280 / 65536 ≈ 0.4315, · 3 ≈ 1.29 → 1;
        //        swap 2 with 1: [0, 2, 1, 3].
        // i = 1: j = ⌊x₃ · 2 / 2⁶⁴⌋ = x₃'s top bit, 0x0 → 0; swap 1 with 0: [2, 0, 1, 3].
        // (No draw is redrawn: see SplitMix64Tests.NextBelowIsTheHighWordOfTheProduct.)
        Assert.Equal([2, 0, 1, 3], SeededShuffle.Permutation(4, seed: 0));
    }

    [Fact]
    public void ASampleIsTheFirstIndicesOfThePermutation_InTheOriginalOrder()
    {
        // Permutation(4, 0) = [2, 0, 1, 3] (above): the first two indices, 2 and 0, sorted: a, c.
        Assert.Equal(["a", "c"], SeededShuffle.Sample(["a", "b", "c", "d"], 2, seed: 0));
    }

    [Fact]
    public void AnInstanceDrawsOnFromWhereItStopped()
    {
        // The first shuffle takes x₁ … x₃ (above). The second takes the next three outputs of the
        // stream, x₄ = 0xF88BB8A8724C81EC, x₅ = 0x1B39896A51A8749B, x₆ = 0x53CB9F0C747EA2EA:
        // i = 3: x₄'s top two bits, 0xF = 0b1111 → 3; [0, 1, 2, 3].
        // i = 2: x₅ / 2⁶⁴ ≈ 0x1B39 / 0x10000 = 6969 / 65536 ≈ 0.106, · 3 ≈ 0.32 → 0; [2, 1, 0, 3].
        // i = 1: x₆'s top bit, 0x5 = 0b0101 → 0; [1, 2, 0, 3]. A fresh stream would repeat [2, 0, 1, 3].
        var shuffle = new SeededShuffle(0);
        int[] first = [0, 1, 2, 3], second = [0, 1, 2, 3];

        shuffle.Shuffle(first.AsSpan());
        shuffle.Shuffle(second.AsSpan());

        Assert.Equal([2, 0, 1, 3], first);
        Assert.Equal([1, 2, 0, 3], second);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5)]
    public void ASampleOutsideTheItemsIsRefused(int count) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SeededShuffle.Sample(["a", "b", "c", "d"], count, seed: 0));
}
