using EarlyExit.Data.Scoring;
using EarlyExit.Tests.Shared;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace EarlyExit.Nats.Tests;

/// <summary>
/// A real nats-server, in-process workers on it and the synthetic classifier they run (a row's
/// answer is a function of its text, worked out here, so a test knows every expected result).
/// </summary>
internal sealed class WorkQueueHarness : IAsyncDisposable
{
    public const string Pool = "testmodel-torch-fp32";
    private readonly List<(CancellationTokenSource Drain, Task Run, NatsConnection Connection)> _workers = [];

    public WorkQueueHarness(TimeSpan? ackWait = null, int maxDeliver = 5, int maxPending = 8)
    {
        Server = new NatsServerProcess();
        Options = new NatsScoringOptions { Url = Server.Url, AckWait = ackWait ?? TimeSpan.FromSeconds(30), MaxDeliver = maxDeliver, MaxPending = maxPending };
    }

    public NatsServerProcess Server { get; }

    public NatsScoringOptions Options { get; }

    public NatsScoringTopology Topology => new(Options);

    public StringWriter Log { get; } = new();

    /// <summary>The synthetic answer of one row: label by the text's length parity, exit 1 + length mod 6, probability 1/(1 + length).</summary>
    public static ScoreResult Expected(ChunkRow row) =>
        new(row.Id, row.Text.Length % 2 == 0 ? "even" : "odd", 1.0 / (1 + row.Text.Length), 1 + row.Text.Length % 6, (1 + row.Text.Length % 6) / 6.0, []);

    public static IReadOnlyList<ScoreResult> Synthetic(ScoreChunk chunk) => [.. chunk.Rows.Select(Expected)];

    /// <summary>Chunk <paramref name="index"/> of a job: <paramref name="rows"/> rows of varied lengths.</summary>
    public static ScoreChunk Chunk(string job, long index, int rows = 10) =>
        new(job, index, index * rows, new ChunkSettings("max-prob", 0.9, 4096, 64, false),
            [.. Enumerable.Range(0, rows).Select(r => new ChunkRow($"{index * rows + r + 1}", $"row {index}-{r} " + new string('x', (int)((index * 7 + r) % 11))))]);

    public static IEnumerable<ScoreChunk> Chunks(string job, int count, int rows = 10) => Enumerable.Range(0, count).Select(i => Chunk(job, i, rows));

    /// <summary>
    /// Waits (up to 10 s) for <paramref name="settled"/>: a worker counts a chunk once its ack is confirmed,
    /// which can be a moment after the submitter has the answer.
    /// </summary>
    public static async Task SettledAsync(Func<bool> settled)
    {
        for (int i = 0; i < 200 && !settled(); i++) await Task.Delay(50);
    }

    /// <summary>Starts a worker in this process; its counters are returned.</summary>
    public async Task<WorkerMetrics> StartWorkerAsync(string name, Func<ScoreChunk, IReadOnlyList<ScoreResult>>? classify = null)
    {
        var connection = new NatsConnection(new NatsOpts { Url = Options.Url, Name = name });
        await connection.ConnectAsync();
        var js = new NatsJSContext(connection);
        await Topology.EnsureStreamsAsync(js, CancellationToken.None);
        var metrics = new WorkerMetrics();
        var drain = new CancellationTokenSource();
        var worker = new ChunkWorker(js, Topology, Pool, classify ?? Synthetic, metrics, TextWriter.Synchronized(Log), name);
        _workers.Add((drain, Task.Run(() => worker.RunAsync(drain.Token)), connection));
        return metrics;
    }

    /// <summary>Drains worker <paramref name="i"/> and waits for it to stop.</summary>
    public async Task DrainAsync(int i)
    {
        await _workers[i].Drain.CancelAsync();
        await _workers[i].Run.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public Task<ChunkSubmitter> SubmitterAsync(string job) => ChunkSubmitter.OpenAsync(Options, job, Pool, TextWriter.Synchronized(Log), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        foreach (var (drain, run, connection) in _workers)
        {
            await drain.CancelAsync();
            try { await run.WaitAsync(TimeSpan.FromSeconds(30)); } catch (Exception e) when (e is TimeoutException or OperationCanceledException or NatsException) { }
            await connection.DisposeAsync();
            drain.Dispose();
        }
        Server.Dispose();
    }
}
