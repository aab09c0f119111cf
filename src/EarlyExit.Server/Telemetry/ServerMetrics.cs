using Prometheus;

namespace EarlyExit.Server.Telemetry;

/// <summary>
/// The server's Prometheus metrics, in a registry of their own (served at <c>GET /metrics</c>), so
/// two servers in one process (tests, the load test) never mix their counts.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>earlyexit_requests_total{outcome}</c>: classify requests by outcome (ok, bad_request,
/// too_large, queue_full, unavailable, cancelled, error).</item>
/// <item><c>earlyexit_request_duration_seconds</c>: classify latency, body read to answer written.</item>
/// <item><c>earlyexit_inputs_total</c>: inputs answered.</item>
/// <item><c>earlyexit_exits_total{layer}</c>: inputs that left after layer 1..M.</item>
/// <item><c>earlyexit_batch_rows{layer}</c>: rows in each layer call, the measure of batching.</item>
/// <item><c>earlyexit_pending_inputs</c>: inputs accepted and not yet answered.</item>
/// </list>
/// </remarks>
public sealed class ServerMetrics
{
    /// <summary>Creates the metrics in a new registry.</summary>
    public ServerMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        MetricFactory factory = Metrics.WithCustomRegistry(Registry);
        Requests = factory.CreateCounter("earlyexit_requests_total", "Classify requests by outcome.", "outcome");
        RequestDuration = factory.CreateHistogram("earlyexit_request_duration_seconds", "Classify request latency in seconds.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) }); // 1 ms … 33 s
        Inputs = factory.CreateCounter("earlyexit_inputs_total", "Inputs answered.");
        Exits = factory.CreateCounter("earlyexit_exits_total", "Inputs by the layer (1-based) they exited after.", "layer");
        BatchRows = factory.CreateHistogram("earlyexit_batch_rows", "Rows in each layer call, by layer (1-based).",
            new HistogramConfiguration { LabelNames = ["layer"], Buckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });
        PendingInputs = factory.CreateGauge("earlyexit_pending_inputs", "Inputs accepted and not yet answered.");
    }

    /// <summary>The registry holding these metrics only.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Classify requests by outcome.</summary>
    public Counter Requests { get; }

    /// <summary>Classify latency in seconds.</summary>
    public Histogram RequestDuration { get; }

    /// <summary>Inputs answered.</summary>
    public Counter Inputs { get; }

    /// <summary>Inputs by exit layer, 1-based.</summary>
    public Counter Exits { get; }

    /// <summary>Rows per layer call, by layer, 1-based.</summary>
    public Histogram BatchRows { get; }

    /// <summary>Inputs accepted and not yet answered.</summary>
    public Gauge PendingInputs { get; }

    /// <summary>Records one layer call on <paramref name="rows"/> rows of layer <paramref name="layerIndex"/> (0-based).</summary>
    public void LayerCall(int layerIndex, int rows) => BatchRows.WithLabels(Layer(layerIndex)).Observe(rows);

    /// <summary>Records an input leaving after layer <paramref name="exitIndex"/> + 1.</summary>
    public void Exit(int exitIndex)
    {
        Exits.WithLabels(Layer(exitIndex)).Inc();
        Inputs.Inc();
    }

    private static readonly string[] LayerNames = [.. Enumerable.Range(1, 64).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private static string Layer(int index) =>
        (uint)index < (uint)LayerNames.Length ? LayerNames[index] : (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
