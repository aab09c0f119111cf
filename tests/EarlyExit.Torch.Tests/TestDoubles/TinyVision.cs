using EarlyExit.Data.Datasets;
using EarlyExit.Torch.Models.Vision;

namespace EarlyExit.Torch.Tests.TestDoubles;

/// <summary>Tiny vision configs whose FLOPs are worked by hand in the tests, and synthetic images for them.</summary>
internal static class TinyVision
{
    /// <summary>8-pixel grey images, 4-pixel patches (n = 4), d = 8, 2 heads, f = 16, 2 blocks, 3 classes.</summary>
    public static VisionConfig Vit { get; } = new()
    {
        Architecture = VisionArchitecture.Vit, ClassCount = 3, BlockCount = 2, Width = 8,
        ImageSize = 8, Channels = 1, PatchSize = 4, HeadCount = 2, MlpRatio = 2,
        PixelMean = 0.5, PixelStd = 0.25,
    };

    /// <summary>8-pixel RGB images, width 4, 3 blocks in 2 stages (0, 0, 1), 2 classes.</summary>
    public static VisionConfig Cnn { get; } = new()
    {
        Architecture = VisionArchitecture.Cnn, ClassCount = 2, BlockCount = 3, Width = 4,
        ImageSize = 8, Channels = 3, StageCount = 2,
    };

    /// <summary>Synthetic images (seeded uniform noise, not real data) at <paramref name="config"/>'s shape, labels cycling over the classes.</summary>
    public static ImageExample[] Images(VisionConfig config, int count, int seed = 7)
    {
        var random = new Random(seed);
        int length = config.Channels * config.ImageSize * config.ImageSize;
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var pixels = new byte[length];
            random.NextBytes(pixels);
            return new ImageExample(pixels, config.ImageSize, config.ImageSize, i % config.ClassCount, config.Channels);
        })];
    }
}
