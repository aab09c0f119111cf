using EarlyExit.Data.Datasets;
using EarlyExit.Data.Datasets.TextFiles;

namespace EarlyExit.Data.Tests.Datasets.TextFiles;

public sealed class PlainTextFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("plain-text-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void EveryNonBlankLineIsATextAndEachLandsInExactlyOneSplit()
    {
        // Ten texts, two blank lines and a whitespace-only one, which are skipped.
        string[] texts = [.. Enumerable.Range(1, 10).Select(i => $"review {i}: crème brûlée 美味しい")];
        string path = Write("texts.txt", System.Text.Encoding.UTF8.GetBytes(string.Join("\n", texts.Take(5)) + "\n\n   \n" + string.Join("\r\n", texts.Skip(5)) + "\n"));

        UnlabelledTexts loaded = PlainTextFile.Load(path);

        // Validation fraction 0.1 of 10 → 1 text; the other 9 train. Both keep file order.
        Assert.Single(loaded.Validation);
        Assert.Equal(9, loaded.Train.Count);
        Assert.Equal(texts.Order(StringComparer.Ordinal), loaded.Train.Concat(loaded.Validation).Order(StringComparer.Ordinal));
        Assert.Equal(loaded.Train.OrderBy(t => Array.IndexOf(texts, t)), loaded.Train);
    }

    [Fact]
    public void TheSameSeedGivesTheSameSplitAndAnotherSeedMayNot()
    {
        string path = Write("texts.txt", System.Text.Encoding.UTF8.GetBytes(string.Join("\n", Enumerable.Range(0, 50).Select(i => $"text {i}"))));
        UnlabelledTexts a = PlainTextFile.Load(path, new SplitOptions { Seed = 7 });
        UnlabelledTexts b = PlainTextFile.Load(path, new SplitOptions { Seed = 7 });
        UnlabelledTexts c = PlainTextFile.Load(path, new SplitOptions { Seed = 8 });
        Assert.Equal(a.Validation, b.Validation);
        Assert.Equal(5, a.Validation.Count); // round(50 × 0.1)
        Assert.NotEqual(a.Validation, c.Validation);
    }

    [Fact]
    public void BadFilesAreOneLineNamingTheFileAndLine()
    {
        string invalid = Write("latin1.txt", [(byte)'o', (byte)'k', (byte)'\n', (byte)'c', 0xE9, (byte)'\n', (byte)'x']);
        Assert.Equal($"{invalid}:2: is not valid UTF-8 (1 line(s) are not); save the file as UTF-8",
            Assert.Throws<DatasetFormatException>(() => PlainTextFile.Load(invalid)).Message);

        string one = Write("one.txt", "only one\n\n"u8.ToArray());
        Assert.Equal($"{one}: holds 1 text(s); at least 2 are needed (one line each), some to train on and some to validate on",
            Assert.Throws<DatasetFormatException>(() => PlainTextFile.Load(one)).Message);

        string missing = Path.Combine(_folder, "nope.txt");
        Assert.Equal($"{missing}: not found", Assert.Throws<DatasetFormatException>(() => PlainTextFile.Load(missing)).Message);
    }

    [Fact]
    public void TheSpecParsesAndALabelledLoadIsRefusedByName()
    {
        DatasetSpec spec = DatasetSpec.Parse("text:reviews.txt");
        Assert.Equal(new DatasetSpec(DatasetKind.PlainText, "reviews.txt"), spec);
        Assert.Equal("text:reviews.txt", spec.ToString());
        Assert.Contains("takes no columns", Assert.Throws<ArgumentException>(() => DatasetSpec.Parse("text:r.txt?text=body")).Message);
        Assert.Contains("holds texts without labels; it serves only a label-free objective (train --objective self-distill)",
            Assert.Throws<DatasetException>(() => DatasetCatalog.LoadText(spec)).Message);
    }
}
