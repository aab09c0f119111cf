using System.Text;
using EarlyExit.Data.Datasets;
using EarlyExit.Data.Datasets.TextFiles;

namespace EarlyExit.Data.Tests.Datasets.TextFiles;

// Synthetic files written to a temp folder by each test.
public sealed class TextFileDatasetTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("earlyexit-textfiles-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content.ReplaceLineEndings("\n"));
        return path;
    }

    // n rows "text i,label" alternating two labels, for files that need enough rows to split.
    private static string Rows(int n, string a = "neg", string b = "pos") =>
        string.Concat(Enumerable.Range(0, n).Select(i => $"text {i},{(i % 2 == 0 ? a : b)}\n"));

    [Fact]
    public void Csv_ReadsQuotedFieldsPairsAndLabels()
    {
        var path = Write("pairs.csv", """
            text,text_pair,label
            "A man, a plan","He said ""hi""
            then left",entail
            plain,,contra
            """);

        var dataset = TextFileDataset.Load(TextFileFormat.Csv, path, split: new SplitOptions { TestFraction = 0.5, ValidationFraction = 0.5 });
        var all = dataset.Train.Concat(dataset.Validation).Concat(dataset.Test).ToList();

        Assert.Equal("pairs", dataset.Name);
        Assert.Equal(["contra", "entail"], dataset.ClassNames);
        Assert.Contains(all, e => e is { Text: "A man, a plan", TextPair: "He said \"hi\"\nthen left", Label: 1 });
        Assert.Contains(all, e => e is { Text: "plain", TextPair: null, Label: 0 });
    }

    [Fact]
    public void Tsv_TakesQuotesLiterally()
    {
        // GLUE-style TSV: a quote inside a text is just a character.
        var path = Write("sst.tsv", "label\ttext\n1\t\"a film\" of sorts\n0\tbad\n");

        var dataset = TextFileDataset.Load(TextFileFormat.Tsv, path, split: new SplitOptions { TestFraction = 0.5, ValidationFraction = 0.5 });

        Assert.Contains(dataset.Train.Concat(dataset.Validation).Concat(dataset.Test), e => e.Text == "\"a film\" of sorts" && e.Label == 1);
    }

    [Fact]
    public void JsonLines_AcceptsStringAndNumberLabelsAndSkipsBlankLines()
    {
        var path = Write("data.jsonl", """
            {"text": "good", "label": 2}

            {"text": "bad", "label": 10, "extra": true}
            {"text": "meh", "text_pair": "ok", "label": 2}
            """);

        var dataset = TextFileDataset.Load(TextFileFormat.JsonLines, path, split: new SplitOptions { TestFraction = 0.34, ValidationFraction = 0.5 });
        var all = dataset.Train.Concat(dataset.Validation).Concat(dataset.Test).ToList();

        // Integer labels sort as numbers: "2" before "10".
        Assert.Equal(["2", "10"], dataset.ClassNames);
        Assert.Contains(all, e => e is { Text: "bad", Label: 1 });
        Assert.Contains(all, e => e is { Text: "meh", TextPair: "ok", Label: 0 });
    }

    [Fact]
    public void Columns_CanBeRenamed()
    {
        var path = Write("reviews.csv", "stars,review\n5,great\n1,awful\n");

        var dataset = TextFileDataset.Load(TextFileFormat.Csv, path, new TextColumns { Text = "review", Label = "stars" },
            new SplitOptions { TestFraction = 0.5, ValidationFraction = 0.5 });

        Assert.Equal(["1", "5"], dataset.ClassNames);
    }

    [Fact]
    public void Folder_UsesItsSplitFilesAndDrawsOnlyWhatIsMissing()
    {
        Write("set/train.csv", "text,label\n" + Rows(20));
        Write("set/test.csv", "text,label\nunseen,pos\n");

        var dataset = TextFileDataset.Load(TextFileFormat.Csv, Path.Combine(_folder, "set"));

        // Validation: round(0.1·10) per label = 2 of the 20 training rows.
        Assert.Equal("set", dataset.Name);
        Assert.Equal((18, 2, 1), (dataset.Train.Count, dataset.Validation.Count, dataset.Test.Count));
        Assert.Equal("unseen", dataset.Test[0].Text);
    }

    [Fact]
    public void MissingColumn_NamesFileLineAndColumnAndListsTheHeader()
    {
        var path = Write("bad.csv", "sentence,label\nhi,pos\n");

        var error = Assert.Throws<DatasetFormatException>(() => TextFileDataset.Load(TextFileFormat.Csv, path));

        Assert.Equal((path, 1L, "text"), (error.File, error.Line, error.Field));
        Assert.Equal($"{path}:1: field 'text': no such column; the header has: sentence, label", error.Message);
    }

    [Fact]
    public void RenamedPairColumn_MustExist()
    {
        var path = Write("bad.csv", "text,label\nhi,pos\n");

        var error = Assert.Throws<DatasetFormatException>(() => TextFileDataset.Load(TextFileFormat.Csv, path, new TextColumns { TextPair = "hypothesis" }));

        Assert.Equal("hypothesis", error.Field);
    }

    [Fact]
    public void EmptyText_NamesTheLine()
    {
        var path = Write("bad.csv", "text,label\nfine,pos\n  ,neg\n");

        var error = Assert.Throws<DatasetFormatException>(() => TextFileDataset.Load(TextFileFormat.Csv, path));

        Assert.Equal((3L, "text", "the text is empty"), (error.Line, error.Field, error.Problem));
    }

    [Fact]
    public void UnknownLabelInTest_NamesTheTestFileLineAndTrainLabels()
    {
        Write("set/train.jsonl", "{\"text\":\"a\",\"label\":\"pos\"}\n{\"text\":\"b\",\"label\":\"neg\"}\n");
        var test = Write("set/test.jsonl", "{\"text\":\"c\",\"label\":\"pos\"}\n{\"text\":\"d\",\"label\":\"neutral\"}\n");

        var error = Assert.Throws<DatasetFormatException>(() => TextFileDataset.Load(TextFileFormat.JsonLines, Path.Combine(_folder, "set")));

        Assert.Equal((test, 2L, "label"), (error.File, error.Line, error.Field));
        Assert.Equal("label 'neutral' never occurs in train.jsonl (its labels: neg, pos)", error.Problem);
    }

    [Fact]
    public void BadQuoting_NamesTheLine()
    {
        // Line 3 has text after a closing quote.
        var path = Write("bad.csv", "text,label\nok,pos\n\"broken\"x,neg\n");

        var error = Assert.Throws<DatasetFormatException>(() => TextFileDataset.Load(TextFileFormat.Csv, path));

        Assert.Equal(3L, error.Line);
        Assert.StartsWith("malformed CSV", error.Problem);
    }

    [Fact]
    public void WrongFieldCount_NamesTheLine()
    {
        var path = Write("bad.csv", "text,label\nok,pos\nno label here\n");

        var error = Assert.Throws<DatasetFormatException>(() => TextFileDataset.Load(TextFileFormat.Csv, path));

        Assert.Equal(3L, error.Line);
    }

    [Theory]
    [InlineData("{\"text\": \"a\", \"label\": }", null, "not valid JSON")]
    [InlineData("[1, 2]", null, "expected a JSON object, got Array")]
    [InlineData("{\"label\": \"pos\"}", "text", "missing")]
    [InlineData("{\"text\": 5, \"label\": \"pos\"}", "text", "must be a string, got Number")]
    [InlineData("{\"text\": \"a\", \"label\": [1]}", "label", "must be a string or a number, got Array")]
    public void JsonLines_Errors_NameLineAndField(string secondLine, string? field, string problem)
    {
        var path = Write("bad.jsonl", "{\"text\": \"fine\", \"label\": \"pos\"}\n" + secondLine + "\n");

        var error = Assert.Throws<DatasetFormatException>(() => TextFileDataset.Load(TextFileFormat.JsonLines, path));

        Assert.Equal((2L, field), (error.Line, error.Field));
        Assert.StartsWith(problem, error.Problem);
    }

    [Fact]
    public void OneLabelOnly_IsAnError()
    {
        var path = Write("one.csv", "text,label\na,pos\nb,pos\n");

        Assert.Contains("at least 2 distinct labels", Assert.Throws<DatasetFormatException>(() => TextFileDataset.Load(TextFileFormat.Csv, path)).Message);
    }

    [Fact]
    public void MissingPathAndMissingTrainFile_SayWhatIsExpected()
    {
        Assert.Contains("does not exist", Assert.Throws<DatasetException>(() => TextFileDataset.Load(TextFileFormat.Csv, Path.Combine(_folder, "nope.csv"))).Message);
        Directory.CreateDirectory(Path.Combine(_folder, "empty"));
        Assert.Contains("has no train.tsv", Assert.Throws<DatasetException>(() => TextFileDataset.Load(TextFileFormat.Tsv, Path.Combine(_folder, "empty"))).Message);
    }

    // Issue #15 item 6: quirks of users' files that used to pass silently.
    private static readonly SplitOptions Half = new() { TestFraction = 0.34, ValidationFraction = 0.5 };

    [Fact]
    public void Json_number_labels_1_and_1_0_are_one_class()
    {
        string path = Path.Combine(_folder, "numbers.jsonl");
        File.WriteAllText(path, string.Concat(Enumerable.Range(0, 12).Select(i =>
            $"{{\"text\": \"text {i}\", \"label\": {(i % 3) switch { 0 => "1", 1 => "1.0", _ => "0.50" }}}}\n")));

        var dataset = TextFileDataset.Load(TextFileFormat.JsonLines, path, split: Half);

        Assert.Equal(["0.5", "1"], dataset.ClassNames);
    }

    [Fact]
    public void Rows_with_invalid_utf8_are_counted_in_a_warning_naming_the_first_line()
    {
        string path = Path.Combine(_folder, "latin1.csv");
        var bytes = new List<byte>(Encoding.UTF8.GetBytes("text,label\n"));
        for (int i = 0; i < 12; i++)
        {
            bytes.AddRange(Encoding.UTF8.GetBytes($"text {i}"));
            if (i is 3 or 7) bytes.Add(0xE9); // é in Latin-1: not UTF-8
            bytes.AddRange(Encoding.UTF8.GetBytes($",{(i % 2 == 0 ? "neg" : "pos")}\n"));
        }
        File.WriteAllBytes(path, [.. bytes]);

        var dataset = TextFileDataset.Load(TextFileFormat.Csv, path, split: Half);

        string warning = Assert.Single(dataset.Warnings);
        Assert.Equal($"{path}: 2 of 12 rows hold bytes that are not valid UTF-8 (the first at line 5); each was read as U+FFFD", warning);
    }

    [Fact]
    public void Valid_utf8_gives_no_warning()
    {
        string path = Path.Combine(_folder, "clean.jsonl");
        File.WriteAllText(path, string.Concat(Enumerable.Range(0, 6).Select(i => $"{{\"text\": \"café {i} \\ufffd\", \"label\": \"{i % 2}\"}}\n")));

        Assert.Empty(TextFileDataset.Load(TextFileFormat.JsonLines, path, split: Half).Warnings);
    }
}
