using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using EarlyExit.Cli.Tests.TestDoubles;
using EarlyExit.Tests.Shared;

namespace EarlyExit.Cli.Tests.Commands;

/// <summary>
/// score --nats and earlyexit worker against a real nats-server on 127.0.0.1 (issue 19): workers are
/// processes of the real command, killed with real signals; every output is compared byte for byte
/// with single-machine score's on the same input and window.
/// </summary>
[Collection(MiniLmCollection.Name)]
public sealed partial class DistributedScoreTests(TrainedModelFixture model)
{
    private static readonly TimeSpan Ready = TimeSpan.FromMinutes(2);

    private string Folder() => Directory.CreateDirectory(Path.Combine(model.Root, "nats-" + Guid.NewGuid().ToString("N"))).FullName;

    // Synthetic mails with an id column, repeated to `rows` rows.
    private static string Input(string folder, int rows)
    {
        string mails = SyntheticMails.Write(folder, 200);
        string[] body = [.. File.ReadAllLines(mails).Skip(1)];
        string path = Path.Combine(folder, "in.csv");
        File.WriteAllLines(path, ["id,text,label", .. Enumerable.Range(0, rows).Select(i => $"r{i},{body[i % body.Length]}")]);
        return path;
    }

    private string Local(string folder, string input, int window)
    {
        string output = Path.Combine(folder, "local.csv");
        CliRun run = CliRun.Of("score", "--model", model.ModelPath, "--input", input, "--output", output, "--id-column", "id", "--window", $"{window}");
        Assert.True(run.Status == 0, run.Error);
        return output;
    }

    private CliProcess Worker(NatsServerProcess nats, string name, params string[] more) =>
        new(["worker", "--nats", nats.Url, "--model", model.ModelPath, "--name", name, "--ack-wait", "3", .. more]);

    private static string[] Score(NatsServerProcess nats, string input, string output, int window, params string[] more) =>
        ["score", "--nats", nats.Url, "--model", "MODEL", "--input", input, "--output", output, "--id-column", "id", "--window", $"{window}", .. more];

    private string[] WithModel(string[] args) => [.. args.Select(a => a == "MODEL" ? model.ModelPath : a)];

    private static double Metric(int port, string name)
    {
        using var http = new HttpClient();
        string text = http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics")).GetAwaiter().GetResult();
        Match m = Regex.Match(text, $"^{name} (\\S+)$", RegexOptions.Multiline);
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
    }

    [Fact]
    public void Three_workers_score_5000_rows_into_the_bytes_a_single_machine_writes_and_drain_on_sigterm()
    {
        using var nats = new NatsServerProcess();
        string folder = Folder();
        string input = Input(folder, 5000);
        string local = Local(folder, input, 250);
        using CliProcess w1 = Worker(nats, "w1"), w2 = Worker(nats, "w2"), w3 = Worker(nats, "w3");
        foreach (CliProcess w in new[] { w1, w2, w3 }) w.WaitFor("pool", Ready);

        string distributed = Path.Combine(folder, "nats.csv");
        CliRun run = CliRun.Of(WithModel(Score(nats, input, distributed, 250)));

        Assert.True(run.Status == 0, run.Error);
        Assert.Equal(File.ReadAllBytes(local), File.ReadAllBytes(distributed));
        Assert.Contains("scored 5,000 rows into", run.Out);
        int workers = int.Parse(AnsweredBy().Match(run.Out).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(workers, 2, 3);
        foreach (CliProcess w in new[] { w1, w2, w3 })
        {
            w.Terminate(TimeSpan.FromSeconds(30));
            Assert.Equal(0, w.ExitCode);
            Assert.Contains("stopped:", w.Error);
        }
    }

    [Fact]
    public async Task A_worker_killed_mid_chunk_loses_no_row_its_chunk_is_redelivered_and_counted()
    {
        using var nats = new NatsServerProcess();
        string folder = Folder();
        string input = Input(folder, 4000);
        string local = Local(folder, input, 1000);
        int firstPort = CliProcess.FreePort(), laterPort = CliProcess.FreePort();
        using CliProcess first = Worker(nats, "first", "--metrics-port", $"{firstPort}");
        first.WaitFor("pool", Ready);

        string distributed = Path.Combine(folder, "nats.csv");
        Task<CliRun> run = Task.Run(() => CliRun.Of(WithModel(Score(nats, input, distributed, 1000))));
        var clock = Stopwatch.StartNew();
        while (Metric(firstPort, "earlyexit_worker_busy") != 1 && clock.Elapsed < Ready) Thread.Sleep(5);
        first.Kill(); // mid-chunk, SIGKILL: its chunk is neither answered nor acked
        Assert.False(run.IsCompleted, "the run finished before the worker was killed");

        using CliProcess later = Worker(nats, "later", "--metrics-port", $"{laterPort}");
        CliRun done = await run.WaitAsync(Ready);

        Assert.True(done.Status == 0, done.Error + later.Error);
        Assert.Equal(File.ReadAllBytes(local), File.ReadAllBytes(distributed));
        Assert.True(Metric(laterPort, "earlyexit_worker_redeliveries_total") >= 1, later.Error);
        Assert.InRange(Metric(laterPort, "earlyexit_worker_chunks_total"), 1, 4);
    }

    [Fact]
    public void The_submitter_killed_and_resumed_writes_every_row_once()
    {
        using var nats = new NatsServerProcess();
        string folder = Folder();
        string input = Input(folder, 3000);
        string local = Local(folder, input, 200);
        using CliProcess w1 = Worker(nats, "w1"), w2 = Worker(nats, "w2");
        w1.WaitFor("pool", Ready);
        w2.WaitFor("pool", Ready);
        string distributed = Path.Combine(folder, "nats.csv");
        string state = distributed + ".score-state.json";

        using (var submitter = new CliProcess(WithModel(Score(nats, input, distributed, 200))))
        {
            var clock = Stopwatch.StartNew();
            while (!submitter.HasExited && clock.Elapsed < Ready
                && !(File.Exists(state) && JsonDocument.Parse(File.ReadAllText(state)).RootElement.GetProperty("rows_read").GetInt64() >= 600))
                Thread.Sleep(10);
            Assert.False(submitter.HasExited, "the run finished before it could be killed: " + submitter.Error);
            submitter.Kill();
        }
        long committed = JsonDocument.Parse(File.ReadAllText(state)).RootElement.GetProperty("rows_read").GetInt64();
        Assert.InRange(committed, 600, 2999);

        CliRun resumed = CliRun.Of(WithModel(Score(nats, input, distributed, 200, "--resume")));

        Assert.True(resumed.Status == 0, resumed.Error);
        Assert.Contains($"resuming after row {committed:N0}", resumed.Error);
        Assert.Equal(File.ReadAllBytes(local), File.ReadAllBytes(distributed));
    }

    [Fact]
    public void A_server_that_is_not_there_is_one_line_naming_it()
    {
        string folder = Folder();
        string input = Input(folder, 10);
        int port = CliProcess.FreePort();
        CliRun run = CliRun.Of("score", "--nats", $"nats://127.0.0.1:{port}", "--model", model.ModelPath, "--input", input, "--output", Path.Combine(folder, "o.csv"));
        Assert.Equal(1, run.Status);
        Assert.StartsWith($"earlyexit: --nats nats://127.0.0.1:{port}: cannot reach a NATS server with JetStream", run.ErrorLines[^1]);
    }

    [GeneratedRegex("answered by (\\d+) worker")]
    private static partial Regex AnsweredBy();
}
