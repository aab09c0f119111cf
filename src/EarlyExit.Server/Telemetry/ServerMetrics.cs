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
/// <item><c>earlyexit_batch_tokens{layer}</c>: padded tokens (rows × width) in each layer call, what the token budget bounds.</item>
/// <item><c>earlyexit_pending_inputs</c>: inputs accepted and not yet answered.</item>
/// <item><c>earlyexit_feedback_total</c>: feedback scored; <c>earlyexit_feedback_accuracy{exit}</c> and
/// <c>earlyexit_feedback_agreement{exit}</c>: realised rates over the feedback window (<c>exit="all"</c>
/// overall, else 1..M); <c>earlyexit_feedback_upper_bound</c>: the 95 % upper bound of the promised
/// rate; <c>earlyexit_feedback_target</c>: the promise; <c>earlyexit_feedback_alarm</c>: 1 while the
/// bound is below the promise.</item>
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
        BatchTokens = factory.CreateHistogram("earlyexit_batch_tokens", "Padded tokens (rows × width) in each layer call, by layer (1-based); at most the token budget, but for a row longer than it.",
            new HistogramConfiguration { LabelNames = ["layer"], Buckets = [64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384] });
        PendingInputs = factory.CreateGauge("earlyexit_pending_inputs", "Inputs accepted and not yet answered.");
        FeedbackTotal = factory.CreateCounter("earlyexit_feedback_total", "Feedback scored.");
        FeedbackAccuracy = factory.CreateGauge("earlyexit_feedback_accuracy", "Realised accuracy over the feedback window, overall (exit=\"all\") and per exit.", "exit");
        FeedbackAgreement = factory.CreateGauge("earlyexit_feedback_agreement", "Realised agreement with the full model over the feedback window, overall (exit=\"all\") and per exit.", "exit");
        FeedbackUpperBound = factory.CreateGauge("earlyexit_feedback_upper_bound", "95% upper confidence bound of the promised rate over the window.");
        FeedbackTarget = factory.CreateGauge("earlyexit_feedback_target", "The rate the default policy promised (0 when none).");
        FeedbackAlarm = factory.CreateGauge("earlyexit_feedback_alarm", "1 while the upper bound of the realised rate is below the promise.");
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

    /// <summary>Padded tokens in each layer call, by layer: what the token budget bounds.</summary>
    public Histogram BatchTokens { get; }

    /// <summary>Inputs accepted and not yet answered.</summary>
    public Gauge PendingInputs { get; }

    /// <summary>Feedback scored.</summary>
    public Counter FeedbackTotal { get; }

    /// <summary>Realised accuracy over the window, by exit ("all" overall).</summary>
    public Gauge FeedbackAccuracy { get; }

    /// <summary>Realised agreement with the full model over the window, by exit ("all" overall).</summary>
    public Gauge FeedbackAgreement { get; }

    /// <summary>The 95 % upper bound of the promised rate.</summary>
    public Gauge FeedbackUpperBound { get; }

    /// <summary>The promised rate.</summary>
    public Gauge FeedbackTarget { get; }

    /// <summary>1 while the alarm is on.</summary>
    public Gauge FeedbackAlarm { get; }

    /// <summary>Publishes the window's rates after one feedback.</summary>
    internal void Feedback(Feedback.FeedbackRates rates)
    {
        FeedbackTotal.Inc();
        Set(FeedbackAccuracy, "all", rates.Accuracy);
        Set(FeedbackAgreement, "all", rates.Agreement);
        for (int m = 0; m < rates.ExitCounts.Length; m++)
        {
            Set(FeedbackAccuracy, Layer(m), rates.ExitAccuracies[m]);
            Set(FeedbackAgreement, Layer(m), rates.ExitAgreements[m]);
        }
        if (!double.IsNaN(rates.UpperBound)) FeedbackUpperBound.Set(rates.UpperBound);
    }

    // An exit with no feedback in the window has no rate: its series is left out, not set to 0.
    private static void Set(Gauge gauge, string exit, double value)
    {
        if (double.IsNaN(value)) gauge.RemoveLabelled(exit);
        else gauge.WithLabels(exit).Set(value);
    }

    /// <summary>Records one layer call of layer <paramref name="layerIndex"/> (0-based) on <paramref name="rows"/> rows padded to <paramref name="tokens"/> tokens in all.</summary>
    public void LayerCall(int layerIndex, int rows, int tokens)
    {
        string layer = Layer(layerIndex);
        BatchRows.WithLabels(layer).Observe(rows);
        BatchTokens.WithLabels(layer).Observe(tokens);
    }

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
