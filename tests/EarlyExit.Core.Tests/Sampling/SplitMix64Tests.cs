using EarlyExit.Core.Sampling;

namespace EarlyExit.Core.Tests.Sampling;

public sealed class SplitMix64Tests
{
    [Fact]
    public void MatchesTheReferenceSequenceForSeedZero()
    {
        // Reference outputs of splitmix64.c (Vigna) from state 0.
        var random = new SplitMix64(0);

        Assert.Equal(0xE220A8397B1DCDAFUL, random.Next());
        Assert.Equal(0x6E789E6AA1B965F4UL, random.Next());
        Assert.Equal(0x06C45D188009454FUL, random.Next());
    }

    [Fact]
    public void NextBelowIsTheHighWordOfTheProduct()
    {
        // The same three outputs times 4, 3 and 2, high words:
        // 0xE220… · 4 / 2⁶⁴ = 0b11 (its top two bits) = 3;
        // 0x6E78… / 2⁶⁴ ≈ 28280 / 65536 ≈ 0.4315, · 3 ≈ 1.29 → 1;
        // 0x06C4… · 2 / 2⁶⁴ = its top bit = 0.
        // None is redrawn: 2⁶⁴ mod 4 = 0 and 2⁶⁴ mod 2 = 0; 2⁶⁴ mod 3 = 1, and the low word of
        // 0x6E78… · 3 is not 0.
        var random = new SplitMix64(0);

        Assert.Equal(3, random.NextBelow(4));
        Assert.Equal(1, random.NextBelow(3));
        Assert.Equal(0, random.NextBelow(2));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(int.MaxValue)]
    public void NextBelowStaysInRange(int bound)
    {
        var random = new SplitMix64(12345);
        for (int i = 0; i < 10_000; i++)
        {
            int value = random.NextBelow(bound);
            Assert.InRange(value, 0, bound - 1);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void NextBelowRejectsAnEmptyRange(int bound)
    {
        var random = new SplitMix64(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => random.NextBelow(bound));
    }
}
