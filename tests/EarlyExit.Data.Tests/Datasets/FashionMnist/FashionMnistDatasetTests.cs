using System.IO.Compression;
using EarlyExit.Data.Datasets;
using EarlyExit.Data.Datasets.FashionMnist;

namespace EarlyExit.Data.Tests.Datasets.FashionMnist;

// Synthetic gzip IDX files in Fashion-MNIST's names and shapes, with few images.
public sealed class FashionMnistDatasetTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("earlyexit-fmnist-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private void WriteIdx(string name, int[] dimensions, byte[] data)
    {
        using var gzip = new GZipStream(File.Create(Path.Combine(_folder, name)), CompressionLevel.Fastest);
        gzip.Write([0, 0, 8, (byte)dimensions.Length]);
        foreach (var d in dimensions)
        {
            gzip.Write([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        }

        gzip.Write(data);
    }

    private void WriteSet(string prefix, byte[] labels)
    {
        // Image i is filled with the value i, so slices can be told apart.
        var images = labels.SelectMany((_, i) => Enumerable.Repeat((byte)i, 28 * 28)).ToArray();
        WriteIdx($"{prefix}-images-idx3-ubyte.gz", [labels.Length, 28, 28], images);
        WriteIdx($"{prefix}-labels-idx1-ubyte.gz", [labels.Length], labels);
    }

    [Fact]
    public void FromFolder_SlicesImagesAndDrawsValidationFromTrain()
    {
        // 20 training images, two per class; round(0.1·2) = 0 per class would leave validation
        // empty, so use a 0.5 fraction: one per class → 10 validation, 10 train.
        WriteSet("train", [.. Enumerable.Range(0, 20).Select(i => (byte)(i % 10))]);
        WriteSet("t10k", [9, 2, 1]);

        var dataset = FashionMnistDataset.FromFolder(_folder, new SplitOptions { ValidationFraction = 0.5 });

        Assert.Equal(10, dataset.ClassNames.Count);
        Assert.Equal("Ankle boot", dataset.ClassNames[9]);
        Assert.Equal((10, 10, 3), (dataset.Train.Count, dataset.Validation.Count, dataset.Test.Count));
        Assert.Equal([9, 2, 1], dataset.Test.Select(e => e.Label));
        Assert.All(dataset.Test.Select((e, i) => (e, i)), p => Assert.All(p.e.Pixels.ToArray(), v => Assert.Equal(p.i, v)));
        Assert.Equal(10, dataset.Validation.Select(e => e.Label).Distinct().Count());
    }

    [Fact]
    public void FromFolder_RejectsLabelsThatDoNotMatchTheImages()
    {
        WriteSet("train", [0, 1]);
        WriteSet("t10k", [0]);
        WriteIdx("t10k-labels-idx1-ubyte.gz", [2], [0, 1]);

        var error = Assert.Throws<DatasetException>(() => FashionMnistDataset.FromFolder(_folder, new SplitOptions()));

        Assert.Contains("t10k-labels-idx1-ubyte.gz has shape (2), expected (1)", error.Message);
    }
}

// Real data: fetches Debian's dataset-fashion-mnist into the user's cache on first run (CI has the registries).
[Trait("Category", "RealData")]
public sealed class FashionMnistRealDataTests
{
    [Fact]
    public void Load_GivesTheKnownCountsAndFirstTestImages()
    {
        var dataset = FashionMnistDataset.Load();

        // 60,000 training images, 6,000 per class: validation round(0.1·6000) = 600 per class.
        Assert.Equal((54_000, 6_000, 10_000), (dataset.Train.Count, dataset.Validation.Count, dataset.Test.Count));
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(600, dataset.Validation.Count(e => e.Label == c)));

        // The test set's first labels (ankle boot, pullover, trouser, …) and the pixel sum of its first
        // image, read from the IDX files with Python's gzip module when this test was written.
        Assert.Equal([9, 2, 1, 1, 6, 1, 4, 6, 5, 7], dataset.Test.Take(10).Select(e => e.Label));
        Assert.Equal(33_456, dataset.Test[0].Pixels.ToArray().Sum(p => p));
    }
}
