using EarlyExit.Torch.Models;

namespace EarlyExit.Torch.Tests.Models;

public sealed class EncoderFlopsTests
{
    private static readonly EncoderConfig MiniLm = EncoderConfig.AllMiniLmL6V2(classCount: 2);

    [Theory]
    // n = 128: 8·128·384² + 4·128²·384 + 4·128·384·1536 = 150,994,944 + 25,165,824 + 301,989,888
    [InlineData(128, 478_150_656)]
    // n = 1: 8·384² + 4·384 + 4·384·1536 = 1,179,648 + 1,536 + 2,359,296
    [InlineData(1, 3_540_480)]
    [InlineData(0, 0)]
    public void LayerCountsProjectionsAttentionAndFeedForward(int tokens, double expected) =>
        Assert.Equal(expected, EncoderFlops.Layer(MiniLm, tokens));

    [Fact]
    public void AttentionMakesALayerGrowFasterThanLinearlyInTheTokens()
    {
        // Layer(2n) − 2·Layer(n) is the n² term only: 4·(2n)²·d − 2·4·n²·d = 8·n²·d; n = 64, d = 384: 12,582,912.
        Assert.Equal(12_582_912, EncoderFlops.Layer(MiniLm, 128) - (2 * EncoderFlops.Layer(MiniLm, 64)));
    }

    [Fact]
    public void ExitHeadCountsTheDenseLayerOnlyWhenThereIsOne()
    {
        // 2·384² + 2·384·2 = 294,912 + 1,536; without dense only the classifier.
        Assert.Equal(296_448, EncoderFlops.Exit(MiniLm));
        Assert.Equal(1_536, EncoderFlops.Exit(MiniLm with { HeadDense = false }));
    }

    [Fact]
    public void SmallConfigByHand()
    {
        // d = 6, f = 8, n = 3: 8·3·36 + 4·9·6 + 4·3·6·8 = 864 + 216 + 576 = 1,656.
        var tiny = new EncoderConfig { VocabularySize = 5, HiddenSize = 6, LayerCount = 1, HeadCount = 2, IntermediateSize = 8, ClassCount = 3 };
        Assert.Equal(1_656, EncoderFlops.Layer(tiny, 3));
        // 2·36 + 2·6·3 = 72 + 36 = 108.
        Assert.Equal(108, EncoderFlops.Exit(tiny));
    }

    [Fact]
    public void NegativeTokensAreRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => EncoderFlops.Layer(MiniLm, -1));
}
