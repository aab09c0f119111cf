using EarlyExit.Data.Datasets;

namespace EarlyExit.Data.Tests.Datasets;

public sealed class DatasetTests
{
    private static readonly TextExample A = new("a", null, 0), B = new("b", null, 1);

    [Fact]
    public void Indexer_ReturnsEachSplit()
    {
        var dataset = new Dataset<TextExample>("tiny", ["x", "y"], [A], [B], [A, B]);

        Assert.Equal([A], dataset[DatasetSplit.Train]);
        Assert.Equal([B], dataset[DatasetSplit.Validation]);
        Assert.Equal([A, B], dataset[DatasetSplit.Test]);
        Assert.Empty(dataset.Notes);
    }

    [Fact]
    public void Constructor_RejectsALabelOutsideTheClasses()
    {
        var error = Assert.Throws<ArgumentException>(() => new Dataset<TextExample>("tiny", ["x", "y"], [A], [], [new TextExample("c", null, 2)]));

        Assert.Contains("test[0] has label 2, but there are only 2 classes", error.Message);
    }

    [Fact]
    public void Constructor_NeedsTwoClasses() =>
        Assert.Contains("got 1", Assert.Throws<ArgumentException>(() => new Dataset<TextExample>("tiny", ["x"], [A], [], [])).Message);

    [Fact]
    public void Examples_ValidateTheirArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextExample("a", null, -1));
        Assert.Contains("2 × 2 = 4 values; got 3", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageExample(new byte[3], 2, 2, 0)).Message);
    }
}
