using EarlyExit.Torch.Models;

namespace EarlyExit.Torch.Tests.Models;

public sealed class EncoderConfigTests
{
    private static readonly EncoderConfig Tiny = new()
    {
        VocabularySize = 10, HiddenSize = 6, LayerCount = 2, HeadCount = 2, IntermediateSize = 8, ClassCount = 3,
    };

    [Fact]
    public void MiniLmPresetHasThePublishedSizes()
    {
        var c = EncoderConfig.AllMiniLmL6V2(classCount: 4);

        Assert.Equal((30522, 384, 6, 12, 1536, 4, 512, 2), (c.VocabularySize, c.HiddenSize, c.LayerCount, c.HeadCount, c.IntermediateSize, c.ClassCount, c.MaxPositions, c.TypeVocabularySize));
        Assert.Equal(32, c.HeadSize); // 384 / 12
        Assert.Equal(1e-12, c.LayerNormEpsilon);
        Assert.Equal(ExitPooling.Mean, c.Pooling);
        c.Validate();
    }

    [Fact]
    public void HiddenSizeNotAMultipleOfHeadsIsRejectedWithBothValues()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => (Tiny with { HiddenSize = 10, HeadCount = 3 }).Validate());

        Assert.Equal("HiddenSize", e.ParamName);
        Assert.Contains("HiddenSize must be a multiple of HeadCount (3); got 10", e.Message);
    }

    [Theory]
    [InlineData(nameof(EncoderConfig.LayerCount))]
    [InlineData(nameof(EncoderConfig.ClassCount))]
    [InlineData(nameof(EncoderConfig.MaxPositions))]
    public void ZeroSizeIsRejectedNamingTheProperty(string property)
    {
        EncoderConfig config = property switch
        {
            nameof(EncoderConfig.LayerCount) => Tiny with { LayerCount = 0 },
            nameof(EncoderConfig.ClassCount) => Tiny with { ClassCount = 0 },
            _ => Tiny with { MaxPositions = 0 },
        };

        var e = Assert.Throws<ArgumentOutOfRangeException>(config.Validate);

        Assert.Equal(property, e.ParamName);
        Assert.Contains($"{property} must be at least 1; got 0", e.Message);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void DropoutOutsideUnitIntervalIsRejected(double p)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>((Tiny with { HiddenDropout = p }).Validate);

        Assert.Contains($"HiddenDropout must be in [0, 1); got {p}", e.Message);
    }

    [Fact]
    public void NonPositiveEpsilonIsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>((Tiny with { LayerNormEpsilon = 0 }).Validate);

        Assert.Contains("LayerNormEpsilon must be positive and finite; got 0", e.Message);
    }
}
