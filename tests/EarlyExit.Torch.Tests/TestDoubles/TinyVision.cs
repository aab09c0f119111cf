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

    /// <summary>
    /// A learnable synthetic task (not real data): class 0 has a bright horizontal bar two pixels
    /// thick on random rows, class 1 a vertical one on random columns, over dim noise (0–60); shifts and
    /// left–right flips keep the class, so augmentation does not blur it.
    /// </summary>
    public static ImageExample[] Bars(VisionConfig config, int count, int seed)
    {
        var random = new Random(seed);
        int size = config.ImageSize, plane = size * size;
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            int label = random.Next(2);
            int line = random.Next(1, size - 2);
            var pixels = new byte[config.Channels * plane];
            for (int c = 0; c < config.Channels; c++)
            {
                for (int p = 0; p < plane; p++)
                {
                    int y = p / size, x = p % size;
                    bool bar = label == 0 ? y == line || y == line + 1 : x == line || x == line + 1;
                    pixels[(c * plane) + p] = (byte)(bar ? random.Next(200, 256) : random.Next(0, 61));
                }
            }
            return new ImageExample(pixels, size, size, label, config.Channels);
        })];
    }
}
