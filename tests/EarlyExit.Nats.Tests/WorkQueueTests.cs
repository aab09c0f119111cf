using EarlyExit.Data.Scoring;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace EarlyExit.Nats.Tests;

/// <summary>Workers and a submitter on a real nats-server (127.0.0.1, a free port, JetStream in a temporary folder).</summary>
public sealed class WorkQueueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static void AssertAnswered(ChunkOutcome outcome, ScoreChunk chunk)
    {
        Assert.NotNull(outcome.Answer);
        Assert.Equal(chunk.Index, outcome.Index);
        Assert.Equal(chunk.Rows.Select(WorkQueueHarness.Expected), outcome.Answer.Results);
    }

    [Fact]
    public async Task Three_workers_answer_every_chunk_once_and_the_answers_come_back_in_chunk_order()
    {
        await using var h = new WorkQueueHarness(maxPending: 12);
        // A few milliseconds per chunk, so several workers hold chunks at once.
        IReadOnlyList<ScoreResult> Slow(ScoreChunk c)
        {
            Thread.Sleep(20);
            return WorkQueueHarness.Synthetic(c);
        }
        WorkerMetrics[] metrics = [await h.StartWorkerAsync("w1", Slow), await h.StartWorkerAsync("w2", Slow), await h.StartWorkerAsync("w3", Slow)];
        await using ChunkSubmitter submitter = await h.SubmitterAsync("job3");
        ScoreChunk[] chunks = [.. WorkQueueHarness.Chunks("job3", 40)];

        ChunkOutcome[] outcomes = [.. submitter.Score(chunks, 0, new CancellationTokenSource(Patience).Token)];

        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), outcomes.Select(o => o.Index));
        for (int i = 0; i < chunks.Length; i++) AssertAnswered(outcomes[i], chunks[i]);
        await WorkQueueHarness.SettledAsync(() => metrics.Sum(m => m.Chunks.Value) == 40);
        Assert.Equal(40, metrics.Sum(m => m.Chunks.Value));
        Assert.Equal(400, metrics.Sum(m => m.Rows.Value));
        Assert.True(submitter.WorkersSeen >= 2, $"only {submitter.WorkersSeen} worker answered 40 chunks of 20 ms each");
        Assert.Equal(0, metrics.Sum(m => m.Redeliveries.Value));
    }

    [Fact]
    public async Task A_poison_chunk_is_dead_lettered_with_its_reason_after_max_deliver_tries_and_the_others_complete()
    {
        await using var h = new WorkQueueHarness(maxDeliver: 3);
        // The test's poison: one row that makes the classifier throw, every time.
        IReadOnlyList<ScoreResult> Classify(ScoreChunk c) =>
            c.Rows.Any(r => r.Text == "poison") ? throw new InvalidOperationException("the model cannot read this row") : WorkQueueHarness.Synthetic(c);
        WorkerMetrics[] metrics = [await h.StartWorkerAsync("w1", Classify), await h.StartWorkerAsync("w2", Classify)];
        await using ChunkSubmitter submitter = await h.SubmitterAsync("jobp");
        ScoreChunk[] chunks = [.. WorkQueueHarness.Chunks("jobp", 8)];
        chunks[5] = chunks[5] with { Rows = [.. chunks[5].Rows.Take(3), new ChunkRow("poisoned", "poison")] };

        ChunkOutcome[] outcomes = [.. submitter.Score(chunks, 0, new CancellationTokenSource(Patience).Token)];

        Assert.Equal(8, outcomes.Length);
        for (int i = 0; i < 8; i++)
        {
            if (i == 5) continue;
            AssertAnswered(outcomes[i], chunks[i]);
        }
        DeadChunk dead = Assert.IsType<DeadChunk>(outcomes[5].Dead);
        Assert.Null(outcomes[5].Answer);
        Assert.Equal(3, dead.Deliveries);
        Assert.Contains("InvalidOperationException: the model cannot read this row", dead.Reason, StringComparison.Ordinal);
        Assert.Equal(chunks[5].Rows, dead.Chunk!.Rows);
        await WorkQueueHarness.SettledAsync(() => metrics.Sum(m => m.Chunks.Value) == 7);
        Assert.Equal(3, metrics.Sum(m => m.Failures.Value));
        Assert.Equal(1, metrics.Sum(m => m.DeadLetters.Value));
        Assert.Equal(7, metrics.Sum(m => m.Chunks.Value));

        // The dead letter stays on its subject for whoever inspects it, the reason in a header too.
        await using var connection = new NatsConnection(new NatsOpts { Url = h.Options.Url });
        var js = new NatsJSContext(connection);
        INatsJSStream stream = await js.GetStreamAsync(h.Topology.ResultsStream);
        var stored = await stream.GetAsync(new NATS.Client.JetStream.Models.StreamMsgGetRequest { LastBySubj = h.Topology.DeadSubject("jobp") });
        Assert.Equal(5, ChunkCodec.Decode<DeadChunk>(stored.Message.Data.Span).Index);
    }

    [Fact]
    public async Task A_chunk_held_by_a_worker_that_dies_is_redelivered_after_the_ack_wait_and_counted()
    {
        await using var h = new WorkQueueHarness(ackWait: TimeSpan.FromSeconds(2));
        await using ChunkSubmitter submitter = await h.SubmitterAsync("jobk");
        ScoreChunk[] chunks = [.. WorkQueueHarness.Chunks("jobk", 3)];
        using var run = submitter.Score(chunks, 0, new CancellationTokenSource(Patience).Token).GetEnumerator();

        // A worker that takes chunk 0 and dies before acking it: the test pulls it from the pool's consumer and drops it.
        await using (var dying = new NatsConnection(new NatsOpts { Url = h.Options.Url }))
        {
            var js = new NatsJSContext(dying);
            await h.Topology.EnsureStreamsAsync(js, CancellationToken.None);
            // Publishing starts with the first MoveNext, on another thread, since it waits for the answer to chunk 0.
            Task<bool> first = Task.Run(run.MoveNext);
            INatsJSConsumer consumer = await h.Topology.WorkConsumerAsync(js, WorkQueueHarness.Pool, CancellationToken.None);
            INatsJSMsg<byte[]>? taken = null;
            for (int i = 0; i < 50 && taken is null; i++)
                taken = await consumer.NextAsync(NatsRawSerializer<byte[]>.Default, new NatsJSNextOpts { Expires = TimeSpan.FromSeconds(1) });
            Assert.Equal(0, ChunkCodec.Decode<ScoreChunk>(taken!.Data).Index);

            WorkerMetrics later = await h.StartWorkerAsync("later");
            Assert.True(await first);
            AssertAnswered(run.Current, chunks[0]);
            var rest = new List<ChunkOutcome>();
            while (run.MoveNext()) rest.Add(run.Current);
            Assert.Equal([1L, 2L], rest.Select(o => o.Index));
            await WorkQueueHarness.SettledAsync(() => later.Chunks.Value == 3);
            Assert.Equal(1, later.Redeliveries.Value);
            Assert.Equal(3, later.Chunks.Value);
        }
    }

    [Fact]
    public async Task A_chunk_whose_holders_keep_dying_is_dead_lettered_after_max_deliver_deliveries()
    {
        // One chunk in flight at a time, so the dying workers can only take chunk 0.
        await using var h = new WorkQueueHarness(ackWait: TimeSpan.FromSeconds(1), maxDeliver: 2, maxPending: 1);
        await using ChunkSubmitter submitter = await h.SubmitterAsync("jobx");
        ScoreChunk[] chunks = [.. WorkQueueHarness.Chunks("jobx", 2)];
        using var run = submitter.Score(chunks, 0, new CancellationTokenSource(Patience).Token).GetEnumerator();
        Task<bool> first = Task.Run(run.MoveNext);
        await using (var dying = new NatsConnection(new NatsOpts { Url = h.Options.Url }))
        {
            var js = new NatsJSContext(dying);
            await h.Topology.EnsureStreamsAsync(js, CancellationToken.None);
            INatsJSConsumer consumer = await h.Topology.WorkConsumerAsync(js, WorkQueueHarness.Pool, CancellationToken.None);
            // Two workers in turn take chunk 0 and die holding it (never ack).
            for (int death = 1; death <= 2; death++)
            {
                INatsJSMsg<byte[]>? taken = null;
                for (int i = 0; i < 50 && (taken is null || ChunkCodec.Decode<ScoreChunk>(taken.Data).Index != 0); i++)
                    taken = await consumer.NextAsync(NatsRawSerializer<byte[]>.Default, new NatsJSNextOpts { Expires = TimeSpan.FromSeconds(1) });
                Assert.Equal((ulong)death, taken!.Metadata!.Value.NumDelivered);
            }
        }
        WorkerMetrics later = await h.StartWorkerAsync("later");

        Assert.True(await first);
        DeadChunk dead = Assert.IsType<DeadChunk>(run.Current.Dead);
        Assert.Equal(3, dead.Deliveries);
        Assert.StartsWith("delivered 2 times without an answer", dead.Reason, StringComparison.Ordinal);
        Assert.True(run.MoveNext());
        Assert.Equal(1, run.Current.Index);
        Assert.Equal(1, later.DeadLetters.Value);
    }

    [Fact]
    public async Task A_nats_server_killed_and_restarted_mid_run_loses_nothing_with_file_storage()
    {
        await using var h = new WorkQueueHarness(ackWait: TimeSpan.FromSeconds(3));
        IReadOnlyList<ScoreResult> Slow(ScoreChunk c)
        {
            Thread.Sleep(60);
            return WorkQueueHarness.Synthetic(c);
        }
        await h.StartWorkerAsync("w1", Slow);
        await h.StartWorkerAsync("w2", Slow);
        await using ChunkSubmitter submitter = await h.SubmitterAsync("jobr");
        ScoreChunk[] chunks = [.. WorkQueueHarness.Chunks("jobr", 30)];

        var outcomes = new List<ChunkOutcome>();
        try
        {
            foreach (ChunkOutcome outcome in submitter.Score(chunks, 0, new CancellationTokenSource(Patience).Token))
            {
                outcomes.Add(outcome);
                if (outcomes.Count == 8) h.Server.Restart(TimeSpan.FromSeconds(1));
            }
        }
        catch (OperationCanceledException e)
        {
            throw new InvalidOperationException($"{outcomes.Count} of 30 chunks answered; log:\n{h.Log}", e);
        }

        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), outcomes.Select(o => o.Index));
        for (int i = 0; i < chunks.Length; i++) AssertAnswered(outcomes[i], chunks[i]);
    }

    [Fact]
    public async Task A_draining_worker_finishes_the_chunk_in_hand_and_takes_no_other()
    {
        await using var h = new WorkQueueHarness();
        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        IReadOnlyList<ScoreResult> Gated(ScoreChunk c)
        {
            holding.Set();
            release.Wait(TimeSpan.FromSeconds(60));
            return WorkQueueHarness.Synthetic(c);
        }
        WorkerMetrics draining = await h.StartWorkerAsync("draining", Gated);
        await using ChunkSubmitter submitter = await h.SubmitterAsync("jobd");
        ScoreChunk[] chunks = [.. WorkQueueHarness.Chunks("jobd", 4)];
        using var run = submitter.Score(chunks, 0, new CancellationTokenSource(Patience).Token).GetEnumerator();
        Task<bool> first = Task.Run(run.MoveNext);

        Assert.True(holding.Wait(TimeSpan.FromSeconds(30)), "the worker never took a chunk");
        Task drained = h.DrainAsync(0);
        await Task.Delay(300);
        Assert.False(drained.IsCompleted, "the worker stopped with a chunk in hand");
        release.Set();
        await drained;
        Assert.Equal(1, draining.Chunks.Value);

        await h.StartWorkerAsync("next");
        Assert.True(await first);
        AssertAnswered(run.Current, chunks[0]);
        for (int i = 1; i < 4; i++)
        {
            Assert.True(run.MoveNext());
            AssertAnswered(run.Current, chunks[i]);
        }
        Assert.Equal(1, draining.Chunks.Value);
    }

    [Fact]
    public async Task A_chunk_over_the_servers_max_payload_is_refused_naming_it_and_the_limit()
    {
        await using var h = new WorkQueueHarness();
        await using ChunkSubmitter submitter = await h.SubmitterAsync("jobl");
        // Random letters do not compress below the default 1 MiB max_payload.
        var random = new Random(5);
        string text = new([.. Enumerable.Range(0, 3_000_000).Select(_ => (char)random.Next('!', '~'))]);
        var chunk = WorkQueueHarness.Chunk("jobl", 0) with { Rows = [new ChunkRow("1", text)] };
        var e = Assert.Throws<ChunkTooLargeException>(() => submitter.Score([chunk], 0, CancellationToken.None).ToList());
        Assert.Contains("chunk 0", e.Message, StringComparison.Ordinal);
        Assert.Contains("max_payload of 1,048,576", e.Message, StringComparison.Ordinal);
    }
}
