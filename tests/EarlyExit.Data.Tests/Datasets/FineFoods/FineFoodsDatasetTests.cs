using EarlyExit.Data.Datasets;
using EarlyExit.Data.Datasets.FineFoods;
using EarlyExit.Data.Tests.Datasets.RData;

namespace EarlyExit.Data.Tests.Datasets.FineFoods;

// Synthetic training_data / testing_data tibbles in a synthetic lazy-load database.
public sealed class FineFoodsDatasetTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("earlyexit-finefoods-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static byte[] Reviews(string[] reviews, int[] codes, params string[] levels) =>
        RWriter.Serialize(w => w.DataFrame(
            reviews.Length,
            ("product", c => c.Strings([.. reviews.Select((_, i) => $"B{i:D9}")])),
            ("review", c => c.Strings(reviews)),
            ("score", c => c.Factor(codes, levels))));

    [Fact]
    public void FromLazyLoadDatabase_ReplacesBreaksDropsTrainCopiesOfTestAndMapsTheFactor()
    {
        // 20 training reviews (the first also in test, after <br /> becomes a space), 2 test reviews.
        string[] train = ["Loved it.<br />Buy it", .. Enumerable.Range(1, 19).Select(i => $"review {i}")];
        int[] trainScores = [1, .. Enumerable.Range(1, 19).Select(i => i % 2 == 0 ? 1 : 2)];
        var (rdx, rdb) = RDatabaseFiles.Write(
            _folder, RDatabaseFiles.Entry.Lzma2,
            ("training_data", Reviews(train, trainScores, "great", "other")),
            ("testing_data", Reviews(["Loved it. Buy it", "Meh<br />."], [1, 2], "great", "other")));

        var dataset = FineFoodsDataset.FromLazyLoadDatabase(rdx, rdb, new SplitOptions());

        // 19 left for train + validation; validation = round(0.1·9) + round(0.1·10) = 1 + 1.
        Assert.Equal(["great", "other"], dataset.ClassNames);
        Assert.Equal(["Loved it. Buy it", "Meh ."], dataset.Test.Select(e => e.Text));
        Assert.Equal([0, 1], dataset.Test.Select(e => e.Label));
        Assert.Equal(17, dataset.Train.Count);
        Assert.Equal(2, dataset.Validation.Count);
        Assert.DoesNotContain(dataset.Train.Concat(dataset.Validation), e => e.Text.StartsWith("Loved", StringComparison.Ordinal));
        Assert.Contains("dropped 1 training reviews", dataset.Notes[2]);
    }

    [Fact]
    public void FromLazyLoadDatabase_RejectsUnexpectedLevels()
    {
        var (rdx, rdb) = RDatabaseFiles.Write(
            _folder, RDatabaseFiles.Entry.Stored,
            ("training_data", Reviews(["a", "b"], [1, 2], "good", "bad")),
            ("testing_data", Reviews(["c"], [1], "good", "bad")));

        var error = Assert.Throws<DatasetException>(() => FineFoodsDataset.FromLazyLoadDatabase(rdx, rdb, new SplitOptions()));

        Assert.Contains("training_data$score has levels good/bad; expected great/other", error.Message);
    }

    [Fact]
    public void FromLazyLoadDatabase_NamesAMissingObject()
    {
        var (rdx, rdb) = RDatabaseFiles.Write(_folder, RDatabaseFiles.Entry.Stored, ("training_data", Reviews(["a"], [1], "great", "other")));

        var error = Assert.Throws<DatasetException>(() => FineFoodsDataset.FromLazyLoadDatabase(rdx, rdb, new SplitOptions()));

        Assert.Contains("has no object 'testing_data'", error.Message);
    }
}

// Real data: fetches Debian's r-cran-modeldata into the user's cache on first run (CI has the registries).
[Trait("Category", "RealData")]
public sealed class FineFoodsRealDataTests
{
    [Fact]
    public void Load_GivesTheKnownCountsWithoutBreaksOrTestCopiesInTrain()
    {
        var dataset = FineFoodsDataset.Load();
        var trainAndValidation = dataset.Train.Concat(dataset.Validation).ToList();

        // 4,000 − 7 reviews also in test = 3,993 = 3,594 train + 399 validation; test 1,000, 658 "great".
        Assert.Equal((3_594, 399, 1_000), (dataset.Train.Count, dataset.Validation.Count, dataset.Test.Count));
        Assert.Equal(658, dataset.Test.Count(e => e.Label == 0));
        Assert.Contains("dropped 7 training reviews", dataset.Notes[2]);
        Assert.DoesNotContain(trainAndValidation.Concat(dataset.Test), e => e.Text.Contains("<br />", StringComparison.Ordinal));
        var testTexts = dataset.Test.Select(e => e.Text).ToHashSet();
        Assert.DoesNotContain(trainAndValidation, e => testTexts.Contains(e.Text));
    }
}
