using EarlyExit.Data.Datasets;

namespace EarlyExit.Data.Tests.Datasets;

public sealed class PixelStatisticsTests
{
    [Fact]
    public void MeanAndPopulationStdOverEveryPixelScaledToOne()
    {
        // Pixels 0, 255 (one image) and 0, 255 (another): mean 127.5, variance 127.5² → std 127.5; /255 → 0.5, 0.5.
        var images = new[] { new ImageExample(new byte[] { 0, 255 }, 1, 2, 0), new ImageExample(new byte[] { 255, 0 }, 1, 2, 1) };
        Assert.Equal(new PixelStatistics(0.5, 0.5), PixelStatistics.Of(images));
    }

    [Fact]
    public void ABlankSetGetsTheSmallestStdNotZero()
    {
        // All 51: mean 51/255 = 0.2, variance 0 → std clamped to 1/255.
        PixelStatistics stats = PixelStatistics.Of([new ImageExample(new byte[] { 51, 51, 51, 51 }, 2, 2, 0)]);
        Assert.Equal(0.2, stats.Mean, 12);
        Assert.Equal(1.0 / 255, stats.Std, 12);
    }

    [Fact]
    public void NoImagesIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => PixelStatistics.Of([]));
        Assert.Contains("images must hold at least one image; got none", e.Message);
    }
}
