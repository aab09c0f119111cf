using EarlyExit.Data.Datasets;
using EarlyExit.Torch.Runtime;
using EarlyExit.Torch.Tests.TestDoubles;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Runtime;

public sealed class ImageBatchTests
{
    // Configs taking 2 × 2 images, grey and RGB (only the input shape matters here).
    private static readonly Torch.Models.Vision.VisionConfig Grey = TinyVision.Cnn with { ImageSize = 2, Channels = 1 };
    private static readonly Torch.Models.Vision.VisionConfig Rgb = TinyVision.Cnn with { ImageSize = 2, Channels = 3 };

    [Fact]
    public void AGreyImageIsRepeatedOnTheThreeChannelsOfAnRgbModel()
    {
        ImageExample grey = new(new byte[] { 1, 2, 3, 4 }, 2, 2, 0);
        ImageBatch batch = ImageBatch.FromExamples([grey], [0], Rgb);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4 }, batch.Pixels.ToArray());
    }

    [Fact]
    public void AnRgbImageBecomesItsLumaForAGreyModel()
    {
        // Pixel 0: R 255, G 0, B 0 → 0.299·255 = 76.2 → 76; pixel 1: G 255 → 149.7 → 150; pixel 2: B 255 → 29.07 → 29; pixel 3: white → 255.
        ImageExample rgb = new(new byte[] { 255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255 }, 2, 2, 0, channels: 3);
        ImageBatch batch = ImageBatch.FromExamples([rgb], [0], Grey);
        Assert.Equal(new byte[] { 76, 150, 29, 255 }, batch.Pixels.ToArray());
    }

    [Fact]
    public void RowsAreGatheredInTheOrderGivenAndBecomeARawFloatTensor()
    {
        ImageExample a = new(new byte[] { 1, 1, 1, 1 }, 2, 2, 0), b = new(new byte[] { 9, 8, 7, 6 }, 2, 2, 1);
        ImageBatch batch = ImageBatch.FromExamples([a, b], [1, 0], Grey);
        using Tensor images = batch.ToTensor();
        Assert.Equal([2L, 1, 2, 2], images.shape);
        Assert.Equal(new float[] { 9, 8, 7, 6, 1, 1, 1, 1 }, images.data<float>().ToArray());
    }

    [Fact]
    public void AnImageOfAnotherSizeIsNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => ImageBatch.FromExamples([new ImageExample(new byte[9], 3, 3, 0)], [0], Grey));
        Assert.Contains("examples[0] is 3 × 3 pixels; the model takes 2 × 2 images", e.Message);
    }
}
