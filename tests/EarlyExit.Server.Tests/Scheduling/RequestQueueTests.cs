using System.Diagnostics;
using EarlyExit.Core.Policies;
using EarlyExit.Data.Tokenization;
using EarlyExit.Server.Scheduling;
using EarlyExit.Server.Telemetry;

namespace EarlyExit.Server.Tests.Scheduling;

/// <summary>
/// The request queue alone, without a model or a worker: capacity, the order rows are taken in,
/// cancellation, and what draining and stopping do to the worker's waits.
/// </summary>
public sealed class RequestQueueTests
{
    private static readonly TextTokenizer Tokenizer = TextTokenizer.ForMiniLm();

    private readonly ServerMetrics _metrics = new();

    [Fact]
    public void RequestsBeyondTheCapacityAreRefusedAtOnceUntilInputsAreReleased()
    {
        var queue = new RequestQueue(capacity: 4, _metrics);
        queue.Add(Job(3), CancellationToken.None);

        var full = Assert.Throws<QueueFullException>(() => queue.Add(Job(2), CancellationToken.None));
        queue.Add(Job(1), CancellationToken.None); // exactly fills it

        Assert.Equal("the queue is full: 3 of 4 inputs (QueueCapacity) are pending and the request has 2; retry later", full.Message);
        Assert.Equal(4, queue.Pending);
        Assert.Equal(4, _metrics.PendingInputs.Value);
        queue.Release(3);
        Assert.Equal(1, queue.Pending);
        queue.Add(Job(3), CancellationToken.None);
    }

    [Fact]
    public void RowsAreTakenOldestRequestFirstAndARequestMaySpanTwoBatches()
    {
        var queue = new RequestQueue(capacity: 10, _metrics);
        ClassifyJob first = Job(3), second = Job(2);
        queue.Add(first, CancellationToken.None);
        queue.Add(second, CancellationToken.None);
        var rows = new List<QueuedRow>();

        Assert.Equal(2, queue.TakeRows(2, rows));
        Assert.Equal(3, queue.TakeRows(5, rows));

        Assert.Equal([(first, 0), (first, 1), (first, 2), (second, 0), (second, 1)], rows.Select(r => (r.Job, r.Row)));
        Assert.True(queue.IsEmpty);
        Assert.Equal(5, queue.Pending); // taken is not answered: still pending until released
    }

    [Fact]
    public async Task ACancelledRequestIsCancelledAtOnceAndItsQueuedInputsAreFreed()
    {
        var queue = new RequestQueue(capacity: 10, _metrics);
        using var cancel = new CancellationTokenSource();
        ClassifyJob job = Job(3);
        queue.Add(job, cancel.Token);
        var rows = new List<QueuedRow>();
        queue.TakeRows(1, rows); // one row is running, two are queued

        await cancel.CancelAsync();

        Assert.True(job.Task.IsCanceled);
        Assert.True(queue.TakeCancellations()); // the worker is told once to drop the running row
        Assert.False(queue.TakeCancellations());
        Assert.True(queue.IsEmpty);
        Assert.Equal(1, queue.Pending);          // the running row waits for the worker's release
        Assert.Equal(0, queue.TakeRows(5, rows));
    }

    [Fact]
    public void StoppingRefusesRequestsAndEndsAnIdleWorkerOnceNothingIsQueued()
    {
        var queue = new RequestQueue(capacity: 10, _metrics);
        queue.Add(Job(1), CancellationToken.None);

        queue.Stop();

        Assert.Throws<SchedulerStoppedException>(() => queue.Add(Job(1), CancellationToken.None));
        Assert.True(queue.IsDraining);
        Assert.True(queue.WaitForWork(Timeout.InfiniteTimeSpan, idle: true)); // a row is still queued
        var rows = new List<QueuedRow>();
        Assert.True(queue.WaitForBatch(8, TimeSpan.FromMinutes(1), rows));   // and taken without waiting for company
        Assert.Single(rows);
        Assert.True(queue.WaitForWork(Timeout.InfiniteTimeSpan, idle: false)); // rows held: go on
        Assert.False(queue.WaitForWork(Timeout.InfiniteTimeSpan, idle: true));
        Assert.False(queue.WaitForBatch(8, TimeSpan.FromMinutes(1), []));
    }

    [Fact]
    public void APartialBatchWaitsForTheQueueDelayUnlessDraining()
    {
        var queue = new RequestQueue(capacity: 10, _metrics);
        // The delay counts from the job's arrival, so the clock starts before the job is made: the wait
        // since then is at least the delay, however long making and queueing the job took.
        long start = Stopwatch.GetTimestamp();
        queue.Add(Job(1), CancellationToken.None);
        var rows = new List<QueuedRow>();

        Assert.True(queue.WaitForBatch(4, TimeSpan.FromMilliseconds(50), rows));

        Assert.True(Stopwatch.GetElapsedTime(start) >= TimeSpan.FromMilliseconds(50));
        Assert.Single(rows);
        queue.Drain();
        Assert.True(queue.IsDraining);
        queue.Add(Job(1), CancellationToken.None); // still accepted while draining
        rows.Clear();
        start = Stopwatch.GetTimestamp();
        Assert.True(queue.WaitForBatch(4, TimeSpan.FromMinutes(1), rows));
        Assert.True(Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(30));
        Assert.True(queue.WaitForWork(Timeout.InfiniteTimeSpan, idle: false)); // holding rows, draining: no sleep
    }

    [Fact]
    public async Task AWorkerThatDiesFailsWhatIsQueuedAndStopsTheQueue()
    {
        var queue = new RequestQueue(capacity: 10, _metrics);
        ClassifyJob job = Job(2);
        queue.Add(job, CancellationToken.None);

        queue.FailAll(new InvalidOperationException("bug"));

        Assert.Equal("bug", (await Assert.ThrowsAsync<InvalidOperationException>(() => job.Task)).Message);
        Assert.Throws<SchedulerStoppedException>(() => queue.Add(Job(1), CancellationToken.None));
    }

    private static ClassifyJob Job(int inputs) =>
        new([.. Enumerable.Range(0, inputs).Select(i => Tokenizer.EncodeRow($"input {i}"))], new StaticExitPolicy(1));
}
