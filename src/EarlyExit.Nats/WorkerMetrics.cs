using Prometheus;

namespace EarlyExit.Nats;

/// <summary>
/// A worker's counters, in a registry of its own (two workers in one process do not mix), served in
/// Prometheus' text format by <c>earlyexit worker --metrics-port</c>.
/// </summary>
public sealed class WorkerMetrics
{
    /// <summary>Creates the counters in a new registry.</summary>
    public WorkerMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        MetricFactory factory = Metrics.WithCustomRegistry(Registry);
        Chunks = factory.CreateCounter("earlyexit_worker_chunks_total", "Chunks this worker answered and acknowledged.");
        Rows = factory.CreateCounter("earlyexit_worker_rows_total", "Rows in the chunks this worker answered.");
        Redeliveries = factory.CreateCounter("earlyexit_worker_redeliveries_total",
            "Chunks this worker received that had been delivered before (a worker died or timed out holding them, or one failed on them).");
        Failures = factory.CreateCounter("earlyexit_worker_failures_total", "Chunks whose classification threw here (each is retried until MaxDeliver).");
        DeadLetters = factory.CreateCounter("earlyexit_worker_dead_letters_total", "Chunks this worker sent to the dead-letter subject after their last delivery failed.");
        Busy = factory.CreateGauge("earlyexit_worker_busy", "1 while the worker holds a chunk.");
        ChunkSeconds = factory.CreateHistogram("earlyexit_worker_chunk_seconds", "Wall time from receiving a chunk to acknowledging it.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.05, 2, 12) });
    }

    /// <summary>The registry holding every counter below.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Chunks answered.</summary>
    public Counter Chunks { get; }

    /// <summary>Rows answered.</summary>
    public Counter Rows { get; }

    /// <summary>Chunks received with a delivery count above 1.</summary>
    public Counter Redeliveries { get; }

    /// <summary>Chunks whose classification threw.</summary>
    public Counter Failures { get; }

    /// <summary>Chunks dead-lettered.</summary>
    public Counter DeadLetters { get; }

    /// <summary>1 while a chunk is held.</summary>
    public Gauge Busy { get; }

    /// <summary>Seconds per chunk.</summary>
    public Histogram ChunkSeconds { get; }

    /// <summary>The counters in Prometheus' text format.</summary>
    public async Task<string> ExportAsync(CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(buffer, cancellationToken).ConfigureAwait(false);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
