using System.Text;
using EarlyExit.Data.Datasets;
using EarlyExit.Data.Datasets.TextFiles;

namespace EarlyExit.Data.Tests.Datasets.TextFiles;

/// <summary>Issue #15 item 6: quirks of users' files that used to pass silently.</summary>
public sealed class TextFileQuirksTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("earlyexit-quirks-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

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
