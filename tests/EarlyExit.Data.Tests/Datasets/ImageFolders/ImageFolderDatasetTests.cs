using EarlyExit.Data.Datasets;
using EarlyExit.Data.Datasets.ImageFolders;

namespace EarlyExit.Data.Tests.Datasets.ImageFolders;

/// <summary>Image folders built by the test from tiny synthetic PNGs (<see cref="TestPng"/>), not real photos.</summary>
public sealed class ImageFolderDatasetTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"earlyexit-images-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void ReadsClassesInNameOrderAndPixelsExactlyAtTheirOwnSize()
    {
        // 2 × 2 grey images: "cat" holds 10 20 / 30 40, "ant" holds 1 2 / 3 4.
        Grey("train/cat/a.png", [10, 20, 30, 40]);
        Grey("train/ant/a.png", [1, 2, 3, 4]);
        Grey("test/cat/b.png", [50, 60, 70, 80]);
        Grey("validation/ant/c.png", [5, 6, 7, 8]);

        Dataset<ImageExample> data = ImageFolderDataset.Load(_root, imageSize: 2);

        Assert.Equal(["ant", "cat"], data.ClassNames);
        Assert.Equal(2, data.Train.Count);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, data.Train[0].Pixels.ToArray());
        Assert.Equal(0, data.Train[0].Label);
        Assert.Equal(1, data.Train[1].Label);
        Assert.Equal(new byte[] { 50, 60, 70, 80 }, data.Test.Single().Pixels.ToArray());
        Assert.Equal(new byte[] { 5, 6, 7, 8 }, data.Validation.Single().Pixels.ToArray());
        Assert.All(data.Train, e => Assert.Equal(1, e.Channels));
    }

    [Fact]
    public void OneColourImageMakesEveryImageRgbAndResizesBilinearly()
    {
        // A 1 × 2 RGB image (red, blue) and a 2 × 2 grey one, both resized to 2 × 2.
        TestPng.Write(Path.Combine(_root, "train/x/rgb.png"), [255, 0, 0, 0, 0, 255], 2, 1, 3);
        Grey("train/y/grey.png", [0, 100, 200, 44]);
        Grey("test/y/t.png", [1, 1, 1, 1]);

        Dataset<ImageExample> data = ImageFolderDataset.Load(_root, imageSize: 2);

        ImageExample rgb = data.Train.Concat(data.Validation).Single(e => e.Label == 0);
        Assert.Equal(3, rgb.Channels);
        // Height 1 → 2: both rows sample the one row; width stays: R plane 255 0 / 255 0, G 0, B 0 255 / 0 255.
        Assert.Equal(new byte[] { 255, 0, 255, 0, 0, 0, 0, 0, 0, 255, 0, 255 }, rgb.Pixels.ToArray());
        ImageExample grey = data.Test.Single();
        Assert.Equal(3, grey.Channels);
        Assert.Equal(Enumerable.Repeat((byte)1, 12), grey.Pixels.ToArray());
    }

    [Fact]
    public void DownsizingAveragesNeighbours()
    {
        // 4 × 1 row 0 100 200 40 → 2 × 2: x samples at (0.5 + ½)·2 − ½ = 0.5 and 2.5: 50 and 120; both rows alike.
        Grey("train/a/r.png", [0, 100, 200, 40], width: 4, height: 1);
        Grey("train/b/r.png", [0, 0, 0, 0], width: 4, height: 1);
        Grey("test/a/r.png", [0, 0, 0, 0], width: 4, height: 1);
        Grey("validation/a/r.png", [0, 0, 0, 0], width: 4, height: 1);

        Dataset<ImageExample> data = ImageFolderDataset.Load(_root, imageSize: 2);

        Assert.Equal(new byte[] { 50, 120, 50, 120 }, data.Train[0].Pixels.ToArray());
    }

    [Fact]
    public void AnEmptyClassFolderIsNamed()
    {
        Grey("train/a/1.png", [0, 0, 0, 0]);
        Directory.CreateDirectory(Path.Combine(_root, "train/b"));
        Grey("test/a/1.png", [0, 0, 0, 0]);

        var e = Assert.Throws<DatasetException>(() => ImageFolderDataset.Load(_root, 2));
        Assert.Contains($"class folder {Path.Combine(_root, "train", "b")} holds no image", e.Message);
    }

    [Fact]
    public void AnUndecodableFileIsNamed()
    {
        Grey("train/a/1.png", [0, 0, 0, 0]);
        Grey("train/b/1.png", [0, 0, 0, 0]);
        string broken = Path.Combine(_root, "test", "a", "broken.png");
        Directory.CreateDirectory(Path.GetDirectoryName(broken)!);
        File.WriteAllText(broken, "not an image");

        var e = Assert.Throws<DatasetFormatException>(() => ImageFolderDataset.Load(_root, 2));
        Assert.Equal(broken, e.File);
        Assert.Contains("not a decodable image", e.Message);
    }

    [Fact]
    public void ATestClassTrainLacksIsNamed()
    {
        Grey("train/a/1.png", [0, 0, 0, 0]);
        Grey("train/b/1.png", [0, 0, 0, 0]);
        Grey("test/c/1.png", [0, 0, 0, 0]);

        var e = Assert.Throws<DatasetException>(() => ImageFolderDataset.Load(_root, 2));
        Assert.Contains("is a class the train/ folder does not have (its classes: a, b)", e.Message);
    }

    [Fact]
    public void AMissingTestFolderIsNamed()
    {
        Grey("train/a/1.png", [0, 0, 0, 0]);
        var e = Assert.Throws<DatasetException>(() => ImageFolderDataset.Load(_root, 2));
        Assert.Contains("must hold a test/ folder", e.Message);
    }

    [Fact]
    public void WithoutValidationFolderValidationIsASeededSplitOfTrain()
    {
        for (int i = 0; i < 10; i++)
        {
            Grey($"train/a/{i}.png", [(byte)i, 0, 0, 0]);
            Grey($"train/b/{i}.png", [(byte)i, 1, 1, 1]);
        }
        Grey("test/a/t.png", [0, 0, 0, 0]);

        Dataset<ImageExample> first = ImageFolderDataset.Load(_root, 2, new SplitOptions { ValidationFraction = 0.2 });
        Dataset<ImageExample> again = ImageFolderDataset.Load(_root, 2, new SplitOptions { ValidationFraction = 0.2 });

        // 20 % of each class's 10 images: 2 + 2 held out.
        Assert.Equal(4, first.Validation.Count);
        Assert.Equal(16, first.Train.Count);
        Assert.Equal(first.Validation.Select(e => e.Pixels.ToArray()), again.Validation.Select(e => e.Pixels.ToArray()));
    }

    private void Grey(string relative, byte[] pixels, int width = 2, int height = 2) =>
        TestPng.Write(Path.Combine(_root, relative), pixels, width, height, 1);
}
