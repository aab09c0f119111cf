using System.CommandLine;
using EarlyExit.Cli.Models;
using EarlyExit.Onnx.Runtime;
using EarlyExit.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace EarlyExit.Cli.Commands;

/// <summary>
/// <c>earlyexit serve</c>: hosts a model folder behind the HTTP service of
/// <see cref="EarlyExitServer"/> on the <c>--backend</c> chosen (POST /v1/classify with depth-pooled continuous batching,
/// GET /v1/model, /healthz, /metrics, /openapi/v1.json) until Ctrl-C.
/// </summary>
public static class ServeCommand
{
    internal const string Examples = """
          earlyexit serve --model models/spam --urls http://127.0.0.1:8080
          curl -s http://127.0.0.1:8080/v1/classify -H 'content-type: application/json' -d '{"inputs": ["WIN a FREE cruise"], "policy": "pcee", "delta": 0.95}'
          earlyexit serve --model models/spam --batching static --max-batch-size 16
          earlyexit serve --model models/spam --backend onnx --onnx-threads 2
        """;

    /// <summary>Builds the <c>serve</c> command.</summary>
    /// <param name="context">Writers and the cancellation token (Ctrl-C stops the server gracefully).</param>
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = CliOptions.ModelDirectory();
        var urls = new Option<string>("--urls") { Description = "Where to listen", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var batching = new Option<string>("--batching")
        {
            Description = $"{string.Join(", ", BatchingModes.Names)} (default {BatchingModes.NameOf(BatchingMode.DepthPooled)})",
            DefaultValueFactory = _ => BatchingModes.NameOf(BatchingMode.DepthPooled),
        };
        batching.AcceptOnlyFromAmong([.. BatchingModes.Names]);
        var maxBatch = new Option<int>("--max-batch-size") { Description = "Rows per layer call", DefaultValueFactory = _ => 32 };
        var tokens = new Option<int>("--max-batch-tokens") { Description = "Token budget of a batch (rows × longest row): rows are sorted by length into batches under it", DefaultValueFactory = _ => new ServerOptions().MaxBatchTokens };
        var delay = new Option<int>("--max-queue-delay-ms") { Description = "How long a lone request waits for company", DefaultValueFactory = _ => 5 };
        var feedbackWindow = new Option<int>("--feedback-window")
        {
            Description = "How many of the most recent answers can receive POST /v1/feedback (their texts are kept that long, never longer)",
            DefaultValueFactory = _ => new ServerOptions().FeedbackWindow,
        };
        var accuracyTarget = new Option<double?>("--accuracy-target")
        {
            Description = "The accuracy the feedback alarm holds the default policy to (default: what its calibration promised: PCEE's δ, or 1 − ε of calibrate --risk)",
        };
        var refit = new Option<bool>("--feedback-refit")
        {
            Description = "PCEE's online reliability mapping: each POST /v1/feedback adds its answer's exits to the reliability diagrams the served PCEE policies use (off by default; every feedback then runs its text through the full model once)",
        };
        var threads = CliOptions.Threads();
        var backend = CliOptions.Backend();
        var onnxThreads = CliOptions.OnnxThreads();
        var command = new Command("serve", "Serve a model folder over HTTP with early exit and batching across requests.")
        {
            model, urls, batching, maxBatch, tokens, delay, feedbackWindow, accuracyTarget, refit, threads, backend, onnxThreads,
        };
        command.SetAction(parse => (int)CliRunner.Run(context.Error, () => Run(new ServerOptions
        {
            ModelDirectory = parse.GetValue(model)!,
            Batching = BatchingModes.Parse(parse.GetValue(batching)!),
            MaxBatchSize = parse.GetValue(maxBatch),
            MaxBatchTokens = parse.GetValue(tokens),
            MaxQueueDelay = TimeSpan.FromMilliseconds(parse.GetValue(delay)),
            FeedbackWindow = parse.GetValue(feedbackWindow),
            AccuracyTarget = parse.GetValue(accuracyTarget),
            FeedbackRefit = parse.GetValue(refit),
            Backend = parse.GetValue(backend),
            Onnx = BackendSetup.OnnxOptions(parse.GetValue(onnxThreads), parse.GetValue(threads)),
        }, parse.GetValue(urls)!, parse.GetValue(threads), context.Error, context.CancellationToken), context.CancellationToken));
        return command;
    }

    /// <summary>Runs the server until <paramref name="cancellationToken"/> fires, then finishes in-flight requests.</summary>
    /// <exception cref="CliException">Bad options or a model folder that cannot be served.</exception>
    public static CliExitStatus Run(ServerOptions options, string urls, int threads, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stderr);
        TorchSetup.Apply(threads, TrainingDefaults.Seed);
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CliException(CliRunner.OneLine(e.Message));
        }
        var directory = ModelDirectory.Open(options.ModelDirectory!); // says how to make one when missing
        WebApplication app = EarlyExitServer.Build(options, ["--urls", urls]);
        stderr.WriteLine($"serving {directory.Path} on {urls} ({options.Batching} batching, up to {options.MaxBatchSize} rows a layer call, {InferenceBackends.NameOf(options.Backend)} backend); Ctrl-C stops");
        try
        {
            // The model loads here: a folder that cannot be served is the user's error, said in one line.
            app.StartAsync(cancellationToken).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
        {
            throw new CliException($"cannot serve {directory.Path}: {CliRunner.OneLine(e.Message)}");
        }
        // Ctrl-C (the token) stops the host, which finishes in-flight requests first.
        using (cancellationToken.Register(() => app.Lifetime.StopApplication()))
        {
            app.WaitForShutdownAsync().GetAwaiter().GetResult();
        }
        return CliExitStatus.Success;
    }
}
