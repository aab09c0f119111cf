using System.CommandLine;
using System.Runtime.InteropServices;
using EarlyExit.Cli.Models;
using EarlyExit.Cli.Scoring;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Policies;
using EarlyExit.Data.Scoring;
using EarlyExit.Nats;
using EarlyExit.Onnx.Runtime;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Prometheus;

namespace EarlyExit.Cli.Commands;

/// <summary>
/// <c>earlyexit worker</c>: a stateless scoring worker on a NATS JetStream work queue
/// (<see cref="ChunkWorker"/>): it answers the chunks <c>earlyexit score --nats</c> publishes for its
/// model, backend and precision, and drains on SIGTERM or Ctrl-C (finishes the chunk in hand, takes no other).
/// </summary>
public static class WorkerCommand
{
    /// <summary>The examples <c>--help</c> prints.</summary>
    internal const string Examples = """
          earlyexit worker --nats nats://10.0.0.5:4222 --model models/spam --backend onnx
          earlyexit worker --nats nats://10.0.0.5:4222 --model models/spam --backend onnx --precision int8 --metrics-port 9464
        """;

    /// <summary>Builds the <c>worker</c> command.</summary>
    /// <param name="context">Writers and the cancellation token (Ctrl-C drains).</param>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = CliOptions.ModelDirectory();
        var nats = new NatsCommandOptions(required: true);
        var threads = CliOptions.Threads();
        var backend = CliOptions.Backend();
        var onnxThreads = CliOptions.OnnxThreads();
        var precision = CliOptions.Precision();
        var metricsPort = new Option<int?>("--metrics-port") { Description = "Serve the worker's counters (chunks, rows, redeliveries, dead letters) at http://HOST:PORT/metrics", HelpName = "PORT" };
        var name = new Option<string?>("--name") { Description = "This worker's name in answers and dead letters (default: host name and process id)" };
        var command = new Command("worker", "Answer the chunks of earlyexit score --nats from a NATS JetStream work queue, until SIGTERM or Ctrl-C.")
        {
            model, threads, backend, onnxThreads, precision, metricsPort, name,
        };
        foreach (Option option in nats.All) command.Options.Add(option);
        command.SetAction(parse => (int)CliRunner.Run(context.Error, () => Run(
            parse.GetValue(model)!, nats.Read(parse)!, parse.GetValue(backend), parse.GetValue(precision)!, parse.GetValue(threads), parse.GetValue(onnxThreads),
            parse.GetValue(metricsPort), parse.GetValue(name), context.Error, context.CancellationToken), CancellationToken.None));
        return command;
    }

    /// <summary>Serves chunks until SIGTERM or <paramref name="cancellationToken"/>, then drains.</summary>
    /// <returns><see cref="CliExitStatus.Success"/> once drained.</returns>
    /// <exception cref="CliException">A bad option, an unreachable server, a metrics port in use.</exception>
    internal static CliExitStatus Run(string modelPath, NatsScoringOptions options, InferenceBackend backend, string precision, int threads, int? onnxThreads,
        int? metricsPort, string? name, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (metricsPort is < 1 or > 65535) throw new CliException($"--metrics-port must be 1 to 65535; got {metricsPort}");
        ModelDirectory folder = ModelDirectory.Open(modelPath);
        TorchSetup.Apply(threads, TrainingDefaults.Seed);
        OnnxBackendOptions onnx = BackendSetup.OnnxOptions(onnxThreads, threads, precision, backend);
        using EarlyExitClassifier classifier = EarlyExitClassifier.Load(folder, new EarlyExitClassifierOptions { Backend = backend, Onnx = onnx });
        string pool = NatsCommandOptions.Pool(folder, backend, precision);
        string worker = name ?? $"{Environment.MachineName}-{Environment.ProcessId}";
        var metrics = new WorkerMetrics();
        using IDisposable? server = metricsPort is { } port ? StartMetrics(metrics, port) : null;

        // SIGTERM (what docker stop and Kubernetes send) and Ctrl-C both drain.
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            stderr.WriteLine("SIGTERM: finishing the chunk in hand, then stopping");
            drain.Cancel();
        });

        var connection = new NatsConnection(new NatsOpts { Url = options.Url, Name = $"earlyexit-worker-{worker}" });
        try
        {
            try
            {
                connection.ConnectAsync().AsTask().GetAwaiter().GetResult();
            }
            catch (NatsException e)
            {
                throw NatsCommandOptions.Unreachable(options.Url, e);
            }
            var topology = new NatsScoringTopology(options);
            var js = new NatsJSContext(connection);
            topology.EnsureStreamsAsync(js, drain.Token).GetAwaiter().GetResult();
            stderr.WriteLine($"worker {worker}: pool {pool} ({InferenceBackends.NameOf(backend)}, {classifier.ExitCount} exits) on {options.Url}"
                + (metricsPort is { } p ? $"; metrics on :{p}/metrics" : ""));
            var policies = new Dictionary<(string, double?), ExitPolicy>();
            IReadOnlyList<ScoreResult> Classify(ScoreChunk chunk)
            {
                ChunkSettings s = chunk.Settings;
                if (!policies.TryGetValue((s.Policy, s.Parameter), out ExitPolicy? policy))
                    policies[(s.Policy, s.Parameter)] = policy = PredictCommand.CreatePolicy(classifier, s.Policy, s.Parameter);
                return ScoreResults.Classify(classifier, policy, [.. chunk.Rows.Select(r => (r.Id, r.Text))], s.MaxBatchTokens, s.BatchSize, s.AllProbabilities);
            }
            new ChunkWorker(js, topology, pool, Classify, metrics, stderr, worker).RunAsync(drain.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (drain.IsCancellationRequested)
        {
            // Drained before the first chunk: nothing was held.
        }
        finally
        {
            connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        stderr.WriteLine($"worker {worker} stopped: {metrics.Chunks.Value:F0} chunks, {metrics.Rows.Value:F0} rows, {metrics.Redeliveries.Value:F0} redelivered to it, "
            + $"{metrics.Failures.Value:F0} failures, {metrics.DeadLetters.Value:F0} dead letters");
        return CliExitStatus.Success;
    }

    private static MetricServer StartMetrics(WorkerMetrics metrics, int port)
    {
        var server = new MetricServer(hostname: "+", port: port, url: "metrics/", registry: metrics.Registry);
        try
        {
            server.Start();
            return server;
        }
        catch (System.Net.HttpListenerException e)
        {
            server.Dispose();
            throw new CliException($"--metrics-port {port}: cannot listen there ({e.Message})", CliExitStatus.UserError, e);
        }
    }
}
