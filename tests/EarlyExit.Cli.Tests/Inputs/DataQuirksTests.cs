using System.Text;
using EarlyExit.Cli.Tests.TestDoubles;

namespace EarlyExit.Cli.Tests.Inputs;

/// <summary>Issue #15 item 6: rows with invalid UTF-8 reach the user as one warning line, or, with --strict, an error.</summary>
[Collection(MiniLmCollection.Name)]
public sealed class DataQuirksTests(TrainedModelFixture model) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("earlyexit-quirks-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // Two rows, one with a Latin-1 byte: train reads them, warns, then refuses the empty splits
    // before any model is built, so the test costs no training.
    private string TwoRowsOneInvalid()
    {
        string csv = Path.Combine(_folder, "latin1.csv");
        File.WriteAllBytes(csv, [.. Encoding.UTF8.GetBytes("text,label\ncaf"), 0xE9, .. Encoding.UTF8.GetBytes(" at noon,ham\nfree money,spam\n")]);
        return csv;
    }

    [Fact]
    public void Invalid_utf8_rows_are_counted_in_one_warning_line()
    {
        string csv = TwoRowsOneInvalid();

        CliRun run = CliRun.Of("train", "--data", "csv:" + csv, "--out", Path.Combine(_folder, "model"));

        string warning = Assert.Single(run.ErrorLines, l => l.Contains("UTF-8", StringComparison.Ordinal));
        Assert.Equal($"warning: {csv}: 1 of 2 rows hold bytes that are not valid UTF-8 (the first at line 2); each was read as U+FFFD (--strict refuses such data)", warning);
    }

    [Fact]
    public void Strict_refuses_invalid_utf8_naming_the_file_and_line()
    {
        string csv = TwoRowsOneInvalid();

        CliRun run = CliRun.Of("train", "--data", "csv:" + csv, "--out", Path.Combine(_folder, "model"), "--strict");

        Assert.Equal(1, run.Status);
        Assert.Equal($"earlyexit: --data csv:{csv} (--strict): {csv}: 1 of 2 rows hold bytes that are not valid UTF-8 (the first at line 2); each was read as U+FFFD", run.ErrorLines[^1]);
    }

    [Fact]
    public void Calibrate_with_strict_refuses_the_data_it_would_record_a_trace_from()
    {
        string copy = model.CopyModel();
        File.Delete(Path.Combine(copy, "validation.eetrace")); // so calibrate must read the data
        string csv = TwoRowsOneInvalid();

        CliRun run = CliRun.Of("calibrate", "--model", copy, "--data", "csv:" + csv, "--strict");

        Assert.Equal(1, run.Status);
        Assert.Contains($"(--strict): {csv}: 1 of 2 rows hold bytes that are not valid UTF-8", run.ErrorLines[^1]);
    }
}
