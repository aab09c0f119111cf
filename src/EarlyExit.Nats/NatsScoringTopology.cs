using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace EarlyExit.Nats;

/// <summary>
/// The one place that names the streams, subjects and consumers of distributed scoring, and creates them.
/// </summary>
/// <remarks>
/// <para><b>Work</b>: stream <c>PREFIX_WORK</c>, work-queue retention (a chunk leaves the stream when a
/// worker acks it), subjects <c>PREFIX.work.POOL</c>. A pool is one model folder on one backend and
/// precision (<see cref="PoolKey"/>): a chunk goes only to workers that answer it exactly as the
/// submitter's own settings would. Each pool has one durable pull consumer that all its workers share,
/// so JetStream hands each chunk to one of them.</para>
/// <para><b>Results</b>: stream <c>PREFIX_RESULTS</c>, limits retention, subjects <c>PREFIX.results.JOB</c>
/// (answers, purged when the job completes) and <c>PREFIX.dead.JOB</c> (dead letters, kept for a week
/// for inspection). The submitter reads both of its job through one ordered consumer on
/// <c>PREFIX.*.JOB</c>, from the start, so a restarted submitter sees every answer that came while it was down.</para>
/// </remarks>
public sealed class NatsScoringTopology(NatsScoringOptions options)
{
    /// <summary>The settings.</summary>
    public NatsScoringOptions Options { get; } = options;

    /// <summary>The work stream's name.</summary>
    public string WorkStream => Stream("WORK");

    /// <summary>The results stream's name.</summary>
    public string ResultsStream => Stream("RESULTS");

    /// <summary>The subject a pool's chunks are published on.</summary>
    public string WorkSubject(string pool) => $"{Options.Prefix}.work.{pool}";

    /// <summary>The subject a job's answers are published on.</summary>
    public string ResultsSubject(string job) => $"{Options.Prefix}.results.{job}";

    /// <summary>The dead-letter subject of a job.</summary>
    public string DeadSubject(string job) => $"{Options.Prefix}.dead.{job}";

    /// <summary>Both of a job's subjects on the results stream.</summary>
    public string JobFilter(string job) => $"{Options.Prefix}.*.{job}";

    /// <summary>The durable consumer a pool's workers share.</summary>
    public string ConsumerName(string pool) => $"{Options.Prefix}-{pool}";

    /// <summary>
    /// A pool's key: the model (a digest of its weights and metadata, which holds the calibration), the backend and the precision,
    /// as one subject token.
    /// </summary>
    /// <param name="modelDigest">Hex digest of the model folder; its first 16 characters are used.</param>
    /// <param name="backend">The backend's name (torch, onnx).</param>
    /// <param name="precision">fp32 or int8.</param>
    public static string PoolKey(string modelDigest, string backend, string precision)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelDigest);
        return $"{modelDigest[..Math.Min(16, modelDigest.Length)]}-{backend}-{precision}".ToLowerInvariant();
    }

    /// <summary>The message id of a chunk (JetStream drops a second publish with it inside the duplicate window).</summary>
    public static string ChunkMessageId(string job, long index) => $"{job}-{index}";

    /// <summary>The message id of a chunk's answer (a redelivered chunk answered twice is stored once).</summary>
    public static string AnswerMessageId(string job, long index) => $"{job}-{index}-answer";

    /// <summary>Creates the two streams, or updates them to these settings.</summary>
    public async Task EnsureStreamsAsync(INatsJSContext js, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(js);
        StreamConfigStorage storage = Options.Storage == "memory" ? StreamConfigStorage.Memory : StreamConfigStorage.File;
        await js.CreateOrUpdateStreamAsync(new StreamConfig(WorkStream, [$"{Options.Prefix}.work.>"])
        {
            Retention = StreamConfigRetention.Workqueue,
            Storage = storage,
            NumReplicas = Options.Replicas,
            DuplicateWindow = Options.DuplicateWindow,
        }, cancellationToken).ConfigureAwait(false);
        await js.CreateOrUpdateStreamAsync(new StreamConfig(ResultsStream, [$"{Options.Prefix}.results.>", $"{Options.Prefix}.dead.>"])
        {
            Retention = StreamConfigRetention.Limits,
            Storage = storage,
            NumReplicas = Options.Replicas,
            DuplicateWindow = Options.DuplicateWindow,
            // Answers are purged by their submitter; this bounds what an abandoned job and the dead letters keep.
            MaxAge = TimeSpan.FromDays(7),
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The durable pull consumer of a pool, created or updated to these settings.</summary>
    public async Task<INatsJSConsumer> WorkConsumerAsync(INatsJSContext js, string pool, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(js);
        return await js.CreateOrUpdateConsumerAsync(WorkStream, new ConsumerConfig(ConsumerName(pool))
        {
            FilterSubject = WorkSubject(pool),
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
            AckWait = Options.AckWait,
            // Unlimited here: the workers count deliveries themselves (ChunkWorker), so that a chunk whose
            // holders keep dying is dead-lettered too, not left in the stream undelivered where no one would hear of it.
            MaxDeliver = -1,
            DeliverPolicy = ConsumerConfigDeliverPolicy.All,
        }, cancellationToken).ConfigureAwait(false);
    }

    private string Stream(string part) => $"{Options.Prefix.ToUpperInvariant().Replace('-', '_')}_{part}";
}
