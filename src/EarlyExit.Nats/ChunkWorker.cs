using System.Diagnostics;
using EarlyExit.Core.IO;
using EarlyExit.Data.Scoring;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace EarlyExit.Nats;

/// <summary>
/// A stateless scoring worker: pulls chunks of its pool from the work stream one at a time,
/// classifies each, publishes the answer to the results stream and only then acks the chunk, so a
/// worker that dies holding a chunk loses nothing: JetStream redelivers it to another after the ack
/// wait. While it classifies it sends an in-progress ack every third of the ack wait, so a long chunk
/// is not taken from a live worker. A chunk whose classification throws is handed back (nak) for
/// another try; on its last delivery (<c>MaxDeliver</c>) it goes to the dead-letter subject with the
/// reason and is terminated. A chunk delivered more than <c>MaxDeliver</c> times without an answer or a
/// failure (its holders died) goes there unclassified: the consumer redelivers without limit and the
/// workers keep the count, so such a chunk is never left silently in the stream. Draining (<see cref="RunAsync"/>'s token) finishes the chunk in hand and takes no new one.
/// </summary>
/// <param name="js">A JetStream context on a connected client.</param>
/// <param name="topology">Names and settings.</param>
/// <param name="pool">The pool this worker serves (<see cref="NatsScoringTopology.PoolKey"/>).</param>
/// <param name="classify">Classifies a chunk's rows under its settings: one result per row, in order. It may throw (the chunk is retried).</param>
/// <param name="metrics">The counters to advance.</param>
/// <param name="log">One line per event worth a line (a failure, a dead letter, a lost connection).</param>
/// <param name="name">This worker's name in answers and dead letters.</param>
public sealed class ChunkWorker(INatsJSContext js, NatsScoringTopology topology, string pool,
    Func<ScoreChunk, IReadOnlyList<ScoreResult>> classify, WorkerMetrics metrics, TextWriter log, string name)
{
    private static readonly NatsRawSerializer<byte[]> Raw = NatsRawSerializer<byte[]>.Default;

    /// <summary>Serves chunks until <paramref name="drain"/> is cancelled, then returns once the chunk in hand is acked.</summary>
    /// <param name="drain">Stop taking chunks (SIGTERM, Ctrl-C).</param>
    public async Task RunAsync(CancellationToken drain)
    {
        INatsJSConsumer consumer = await NatsRetry.RunAsync(() => topology.WorkConsumerAsync(js, pool, drain), "creating the work consumer", log, drain).ConfigureAwait(false);
        long maxDeliver = topology.Options.MaxDeliver;
        bool lost = false;
        while (!drain.IsCancellationRequested)
        {
            INatsJSMsg<byte[]>? message;
            try
            {
                // Not cancelled by drain: a pull cut short may leave a chunk delivered to no one until the ack wait ends.
                message = await consumer.NextAsync(Raw, new NatsJSNextOpts { Expires = TimeSpan.FromSeconds(2) }, CancellationToken.None).ConfigureAwait(false);
                if (lost) log.WriteLine("NATS answers again; taking chunks");
                lost = false;
            }
            catch (Exception e) when (NatsRetry.IsTransient(e))
            {
                if (!lost) log.WriteLine($"NATS is not answering ({e.Message}); retrying");
                lost = true;
                await Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None).ConfigureAwait(false);
                continue;
            }
            if (message is { } m) await HandleAsync(m, maxDeliver).ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(INatsJSMsg<byte[]> message, long maxDeliver)
    {
        var clock = Stopwatch.StartNew();
        metrics.Busy.Set(1);
        try
        {
            long deliveries = (long)(message.Metadata?.NumDelivered ?? 1);
            if (deliveries > 1) metrics.Redeliveries.Inc();
            ScoreChunk chunk;
            try
            {
                chunk = ChunkCodec.Decode<ScoreChunk>(message.Data ?? []);
            }
            catch (ChunkFormatException e)
            {
                // No try can read it: straight to the dead letters, under the subject of no job.
                await DeadLetterAsync(message, null, deliveries, e.Message).ConfigureAwait(false);
                return;
            }
            if (deliveries > maxDeliver)
            {
                // Its last MaxDeliver holders neither answered nor failed: they died or ran past the ack wait.
                await DeadLetterAsync(message, chunk, deliveries,
                    $"delivered {deliveries - 1} times without an answer: the workers holding it died or ran past the ack wait ({topology.Options.AckWait.TotalSeconds:F0} s)").ConfigureAwait(false);
                return;
            }
            IReadOnlyList<ScoreResult> results;
            using (var beating = new CancellationTokenSource())
            {
                Task heartbeat = HeartbeatAsync(message, beating.Token);
                try
                {
                    results = await Task.Run(() => classify(chunk)).ConfigureAwait(false);
                    if (results.Count != chunk.Rows.Count)
                        throw new InvalidOperationException($"the classifier returned {results.Count} results for {chunk.Rows.Count} rows");
                }
                catch (Exception e)
                {
                    metrics.Failures.Inc();
                    string reason = $"{e.GetType().Name}: {Messages.OneLine(e.Message)}";
                    if (deliveries >= maxDeliver)
                    {
                        await DeadLetterAsync(message, chunk, deliveries, reason).ConfigureAwait(false);
                    }
                    else
                    {
                        log.WriteLine($"chunk {chunk.Index} of job {chunk.Job} failed (delivery {deliveries} of {maxDeliver}): {reason}; handed back");
                        await message.NakAsync(new AckOpts { NakDelay = TimeSpan.FromSeconds(Math.Min(deliveries, 5)) }).ConfigureAwait(false);
                    }
                    return;
                }
                finally
                {
                    await beating.CancelAsync().ConfigureAwait(false);
                    await heartbeat.ConfigureAwait(false);
                }
            }
            var answer = new ChunkAnswer(chunk.Job, chunk.Index, name, results);
            await PublishAsync(topology.ResultsSubject(chunk.Job), ChunkCodec.Encode(answer), NatsScoringTopology.AnswerMessageId(chunk.Job, chunk.Index)).ConfigureAwait(false);
            // Acked only once the answer is stored: dying between the two answers the chunk twice, which the submitter drops.
            await NatsRetry.RunAsync(() => message.AckAsync(new AckOpts { DoubleAck = true }).AsTask(), "acknowledging a chunk", log, CancellationToken.None).ConfigureAwait(false);
            metrics.Chunks.Inc();
            metrics.Rows.Inc(chunk.Rows.Count);
        }
        finally
        {
            metrics.Busy.Set(0);
            metrics.ChunkSeconds.Observe(clock.Elapsed.TotalSeconds);
        }
    }

    private async Task DeadLetterAsync(INatsJSMsg<byte[]> message, ScoreChunk? chunk, long deliveries, string reason)
    {
        string job = chunk?.Job ?? "unreadable";
        long index = chunk?.Index ?? (long)(message.Metadata?.Sequence.Stream ?? 0);
        var dead = new DeadChunk(job, index, name, deliveries, reason, chunk);
        var headers = new NatsHeaders { ["EarlyExit-Reason"] = reason, ["EarlyExit-Deliveries"] = deliveries.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        await PublishAsync(topology.DeadSubject(job), ChunkCodec.Encode(dead), $"{job}-{index}-dead", headers).ConfigureAwait(false);
        await NatsRetry.RunAsync(() => message.AckTerminateAsync().AsTask(), "terminating a dead chunk", log, CancellationToken.None).ConfigureAwait(false);
        metrics.DeadLetters.Inc();
        log.WriteLine($"chunk {index} of job {job} dead-lettered after {deliveries} deliveries: {reason}");
    }

    private Task PublishAsync(string subject, byte[] data, string messageId, NatsHeaders? headers = null) =>
        NatsRetry.RunAsync(async () =>
        {
            PubAckResponse ack = await js.PublishAsync(subject, data, Raw, new NatsJSPubOpts { MsgId = messageId }, headers).ConfigureAwait(false);
            NatsRetry.EnsureStored(ack);
        }, $"publishing to {subject}", log, CancellationToken.None);

    private async Task HeartbeatAsync(INatsJSMsg<byte[]> message, CancellationToken stop)
    {
        TimeSpan every = topology.Options.AckWait / 3;
        try
        {
            while (true)
            {
                await Task.Delay(every, stop).ConfigureAwait(false);
                try
                {
                    await message.AckProgressAsync(cancellationToken: stop).ConfigureAwait(false);
                }
                catch (Exception e) when (NatsRetry.IsTransient(e))
                {
                    // The next beat tries again; if none gets through, the chunk is redelivered and answered twice, which is harmless.
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
