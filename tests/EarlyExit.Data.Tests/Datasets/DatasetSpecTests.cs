using EarlyExit.Data.Datasets;
using EarlyExit.Data.Datasets.TextFiles;

namespace EarlyExit.Data.Tests.Datasets;

public sealed class DatasetSpecTests
{
    [Theory]
    [InlineData("spam-assassin", DatasetKind.SpamAssassin, null)]
    [InlineData(" Fine-Foods ", DatasetKind.FineFoods, null)]
    [InlineData("fashion-mnist", DatasetKind.FashionMnist, null)]
    [InlineData("csv:data/x.csv", DatasetKind.Csv, "data/x.csv")]
    [InlineData("tsv:/abs/folder", DatasetKind.Tsv, "/abs/folder")]
    [InlineData("jsonl:C:/win/path.jsonl", DatasetKind.JsonLines, "C:/win/path.jsonl")]
    public void Parse_KnownForms(string spec, DatasetKind kind, string? path)
    {
        var parsed = DatasetSpec.Parse(spec);

        Assert.Equal(kind, parsed.Kind);
        Assert.Equal(path, parsed.Path);
        Assert.Null(parsed.Columns);
        Assert.Equal(kind == DatasetKind.FashionMnist, parsed.IsImage);
    }

    [Fact]
    public void Parse_ColumnOverrides_AndRoundTrips()
    {
        var parsed = DatasetSpec.Parse("jsonl:nli.jsonl?text=premise&text_pair=hypothesis&label=gold");

        Assert.Equal(new TextColumns { Text = "premise", TextPair = "hypothesis", Label = "gold" }, parsed.Columns);
        Assert.Equal("jsonl:nli.jsonl?text=premise&text_pair=hypothesis&label=gold", parsed.ToString());
        Assert.Equal(parsed, DatasetSpec.Parse(parsed.ToString()));
    }

    [Fact]
    public void Parse_UnknownName_ListsTheValidForms()
    {
        var error = Assert.Throws<ArgumentException>(() => DatasetSpec.Parse("sst2"));

        Assert.Equal("spec", error.ParamName);
        Assert.StartsWith("unknown dataset 'sst2'; valid: spam-assassin, fine-foods, fashion-mnist, csv:PATH, tsv:PATH, jsonl:PATH", error.Message);
    }

    [Theory]
    [InlineData("csv:", "'csv' needs a path")]
    [InlineData("csv", "'csv' needs a path")]
    [InlineData("fine-foods:x", "dataset 'fine-foods' takes no path")]
    [InlineData("csv:x.csv?txt=a", "unknown column key 'txt'")]
    [InlineData("csv:x.csv?text=", "column 'text' needs a name")]
    [InlineData("csv:x.csv?text=a&label=a", "column names must differ")]
    public void Parse_Errors(string spec, string message) =>
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => DatasetSpec.Parse(spec)).Message);

    [Fact]
    public void Catalog_RefusesTheWrongModality()
    {
        Assert.Contains("image dataset", Assert.Throws<ArgumentException>(() => DatasetCatalog.LoadText(DatasetSpec.Parse("fashion-mnist"))).Message);
        Assert.Contains("text dataset", Assert.Throws<ArgumentException>(() => DatasetCatalog.LoadImages(DatasetSpec.Parse("fine-foods"))).Message);
    }

    [Theory]
    [InlineData("images:photos", "photos", null, "images:photos")]
    [InlineData("images:/data/photos?size=32", "/data/photos", 32, "images:/data/photos?size=32")]
    public void Parse_ImageFolder_AndRoundTrips(string spec, string path, int? size, string formatted)
    {
        var parsed = DatasetSpec.Parse(spec);

        Assert.Equal(DatasetKind.ImageFolder, parsed.Kind);
        Assert.Equal(path, parsed.Path);
        Assert.Equal(size, parsed.ImageSize);
        Assert.True(parsed.IsImage);
        Assert.Equal(formatted, parsed.ToString());
    }

    [Theory]
    [InlineData("images:photos?size=0")]
    [InlineData("images:photos?text=x")]
    public void Parse_ImageFolder_TakesOnlyAPositiveSize(string spec)
    {
        var e = Assert.Throws<ArgumentException>(() => DatasetSpec.Parse(spec));
        Assert.Contains("an image folder takes only ?size=N with N ≥ 1", e.Message);
    }
}
