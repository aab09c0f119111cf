using System.Diagnostics;
using System.Text.Json;
using EarlyExit.Cli.Tests.TestDoubles;

namespace EarlyExit.Cli.Tests.Commands;

/// <summary>earlyexit score: formats, ids, bad rows by line, and resume after a real kill -9 (issue 18 item 1).</summary>
[Collection(MiniLmCollection.Name)]
public sealed class ScoreCommandTests(TrainedModelFixture model)
{
    private string Folder() => Directory.CreateDirectory(Path.Combine(model.Root, "score-" + Guid.NewGuid().ToString("N"))).FullName;

    // Synthetic mails (SyntheticMails) with an id column: "m0", "m1", ….
    private static string Input(string folder, int rows, string? badRow = null)
    {
        string mails = SyntheticMails.Write(folder, rows);
        var lines = File.ReadAllLines(mails).Skip(1).Select((l, i) => $"m{i},{l}").ToList();
        if (badRow is not null) lines.Insert(rows / 2, badRow);
        string path = Path.Combine(folder, "in.csv");
        File.WriteAllLines(path, ["id,text,label", .. lines]);
        return path;
    }

    [Fact]
    public void Every_row_is_scored_in_input_order_with_its_id_as_predict_answers_it()
    {
        string folder = Folder();
        string input = Input(folder, 40);
        string output = Path.Combine(folder, "out.jsonl");

        CliRun run = CliRun.Of("score", "--model", model.ModelPath, "--input", input, "--output", output, "--id-column", "id", "--window", "16", "--all-probabilities");

        Assert.True(run.Status == 0, run.Error);
        var rows = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"m{i}"), rows.Select(r => r.GetProperty("id").GetString()));
        // The same answers predict gives (its output: label, probability, exit/M, compute, text).
        string[] texts = [.. File.ReadAllLines(input).Skip(1).Select(l => l.Split(',')[1].Trim('"'))];
        CliRun predict = CliRun.Of(["predict", "--model", model.ModelPath, .. texts.Take(5)]);
        string[] predicted = [.. predict.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)];
        for (int i = 0; i < 5; i++)
        {
            string[] fields = predicted[i].Split('\t');
            Assert.Equal(fields[0], rows[i].GetProperty("label").GetString());
            Assert.Equal(fields[2].Split('/')[0], rows[i].GetProperty("exit").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(double.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture), rows[i].GetProperty("probability").GetDouble(), 3);
        }
        double sum = rows[0].GetProperty("probabilities").EnumerateObject().Sum(p => p.Value.GetDouble());
        Assert.Equal(1.0, sum, 5);
        Assert.Contains("scored 40 rows into", run.Out);
        Assert.Contains("rows per exit (exit:rows, of ", run.Out);
        Assert.False(File.Exists(output + ".score-state.json")); // a finished run leaves no state
    }

    [Fact]
    public void A_bad_row_is_named_by_its_line_or_skipped_into_the_errors_file()
    {
        string folder = Folder();
        string input = Input(folder, 20, badRow: "bad1,,spam"); // an empty text, at line 12 (header 1, ten rows before it)
        string output = Path.Combine(folder, "out.csv");

        CliRun failing = CliRun.Of("score", "--model", model.ModelPath, "--input", input, "--output", output, "--id-column", "id");
        Assert.Equal(1, failing.Status);
        Assert.StartsWith($"earlyexit: {input}, line 12 (row bad1): empty text; --on-error skip", failing.ErrorLines[^1]);

        // A replacement character written on purpose (valid UTF-8, as in fine-foods' reviews) is scored (line 23);
        // invalid UTF-8 in the last row (line 24), appended as raw bytes, is not.
        File.AppendAllText(input, "ok1,\"caf\uFFFD with cream\",ham\n");
        File.AppendAllText(input, "bad2,");
        using (var stream = new FileStream(input, FileMode.Append)) stream.Write([0xFF, 0xFE, (byte)'x', (byte)',', (byte)'h', (byte)'a', (byte)'m', (byte)'\n']);
        File.Delete(output + ".score-state.json");
        File.Delete(output);
        CliRun skipping = CliRun.Of("score", "--model", model.ModelPath, "--input", input, "--output", output, "--id-column", "id", "--on-error", "skip");
        Assert.True(skipping.Status == 0, skipping.Error);
        Assert.Equal(["line\tid\tproblem", "12\tbad1\tempty text", "24\tbad2\tinvalid UTF-8"], File.ReadAllLines(output + ".errors.tsv"));
        Assert.Equal(22, File.ReadAllLines(output).Length); // header + 21 scored rows
        Assert.Contains("21 scored, 2 errors", skipping.Out);

        CliRun missing = CliRun.Of("score", "--model", model.ModelPath, "--input", input, "--output", Path.Combine(folder, "x.csv"), "--text-column", "body");
        Assert.Equal($"earlyexit: {input}:1: field 'body': no such column; the header has: id, text, label", missing.ErrorLines[^1]);
    }

    [Fact]
    public void Killed_mid_run_then_resumed_gives_the_uninterrupted_output_byte_for_byte()
    {
        string folder = Folder();
        string input = Input(folder, 600);
        string whole = Path.Combine(folder, "whole.csv"), resumed = Path.Combine(folder, "resumed.csv");
        string[] common = ["score", "--model", model.ModelPath, "--input", input, "--id-column", "id", "--window", "8"];

        Assert.Equal(0, CliRun.Of([.. common, "--output", whole]).Status);

        // The real command in its own process, killed with SIGKILL once some windows are committed.
        string cli = Path.Combine(AppContext.BaseDirectory, "earlyexit.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in (string[])[cli, .. common, "--output", resumed]) start.ArgumentList.Add(a);
        using (var process = Process.Start(start)!)
        {
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            string state = resumed + ".score-state.json";
            var clock = Stopwatch.StartNew();
            while (!process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)
                && !(File.Exists(state) && JsonDocument.Parse(File.ReadAllText(state)).RootElement.GetProperty("rows_read").GetInt64() >= 40))
                Thread.Sleep(20);
            Assert.False(process.HasExited, "the run finished before it could be killed");
            process.Kill(); // SIGKILL on Linux: no chance to tidy up
            process.WaitForExit();
        }
        long committed = JsonDocument.Parse(File.ReadAllText(resumed + ".score-state.json")).RootElement.GetProperty("rows_read").GetInt64();
        Assert.InRange(committed, 40, 599);

        CliRun resume = CliRun.Of([.. common, "--output", resumed, "--resume"]);

        Assert.True(resume.Status == 0, resume.Error);
        Assert.Contains($"resuming after row {committed:N0}", resume.Error);
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(resumed));
    }

    [Fact]
    public async Task Parquet_in_and_out_gives_the_rows_csv_gives()
    {
        string folder = Folder();
        string csvInput = Input(folder, 30);
        string[][] rows = [.. File.ReadAllLines(csvInput).Skip(1).Select(l => l.Split(','))];
        string parquetInput = Path.Combine(folder, "in.parquet");
        var schema = new Parquet.Schema.ParquetSchema(new Parquet.Schema.DataField<string>("id"), new Parquet.Schema.DataField<string>("text"));
        using (var stream = File.Create(parquetInput))
        {
            // Two row groups, so the reader crosses one.
            var writer = await Parquet.ParquetWriter.CreateAsync(schema, stream);
            foreach (var part in rows.Chunk(17))
            {
                using var group = writer.CreateRowGroup();
                await group.WriteAsync(schema.DataFields[0], part.Select(r => r[0]).ToArray());
                await group.WriteAsync(schema.DataFields[1], part.Select(r => r[1].Trim('"')).ToArray());
            }
            await writer.DisposeAsync();
        }
        string fromCsv = Path.Combine(folder, "a.csv"), fromParquet = Path.Combine(folder, "b.csv"), toParquet = Path.Combine(folder, "c.parquet");
        Assert.Equal(0, CliRun.Of("score", "--model", model.ModelPath, "--input", csvInput, "--output", fromCsv, "--id-column", "id", "--window", "8").Status);
        CliRun parquetRun = CliRun.Of("score", "--model", model.ModelPath, "--input", parquetInput, "--output", fromParquet, "--id-column", "id", "--window", "8");
        Assert.True(parquetRun.Status == 0, parquetRun.Error);
        Assert.Equal(File.ReadAllBytes(fromCsv), File.ReadAllBytes(fromParquet));

        CliRun written = CliRun.Of("score", "--model", model.ModelPath, "--input", csvInput, "--output", toParquet, "--id-column", "id", "--window", "8");
        Assert.True(written.Status == 0, written.Error);
        Assert.False(Directory.Exists(toParquet + ".parts")); // merged and removed
        var reader = await Parquet.ParquetReader.CreateAsync(toParquet);
        var ids = new List<string?>();
        var labels = new List<string?>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var idColumn = new string?[group.RowCount];
            var labelColumn = new string?[group.RowCount];
            await group.ReadAsync(reader.Schema.DataFields[0], idColumn.AsMemory(), null);
            await group.ReadAsync(reader.Schema.DataFields[1], labelColumn.AsMemory(), null);
            ids.AddRange(idColumn);
            labels.AddRange(labelColumn);
        }
        await reader.DisposeAsync();
        string[][] csvRows = [.. File.ReadAllLines(fromCsv).Skip(1).Select(l => l.Split(','))];
        Assert.Equal(csvRows.Select(r => r[0]), ids);
        Assert.Equal(csvRows.Select(r => r[1]), labels);
    }

    [Fact]
    public void A_resume_of_another_job_or_an_existing_output_is_refused()
    {
        string folder = Folder();
        string input = Input(folder, 10);
        string output = Path.Combine(folder, "out.tsv");
        Assert.Equal(0, CliRun.Of("score", "--model", model.ModelPath, "--input", input, "--output", output).Status);
        Assert.StartsWith("id\tlabel\tprobability\texit\tcompute", File.ReadAllLines(output)[0]);

        CliRun again = CliRun.Of("score", "--model", model.ModelPath, "--input", input, "--output", output);
        Assert.Equal([$"earlyexit: --output {output} already exists; choose another file or delete it"], again.ErrorLines);
        CliRun nothing = CliRun.Of("score", "--model", model.ModelPath, "--input", input, "--output", output, "--resume");
        Assert.Equal([$"earlyexit: --resume: {output}.score-state.json does not exist, so there is no interrupted run of --output {output} to continue"], nothing.ErrorLines);
        CliRun format = CliRun.Of("score", "--model", model.ModelPath, "--input", input, "--output", Path.Combine(folder, "out.xlsx"));
        Assert.StartsWith("earlyexit: --output-format: cannot tell the format of", Assert.Single(format.ErrorLines));
    }
}
