using System.Diagnostics;
using System.Net.Http.Json;
using EarlyExit.Core.Catalog;
using EarlyExit.Server;
using EarlyExit.Server.Api;
using Microsoft.AspNetCore.Builder;

namespace EarlyExit.Bench.Server;

/// <summary>One server configuration under a closed-loop client: a fixed number of one-input requests from a fixed number of concurrent callers, stopped at a time limit.</summary>
internal sealed record LoadTest(string Name, BatchingMode Batching, PolicySpec Policy, int BatchSize, TimeSpan QueueDelay);

/// <summary>What one run measured.</summary>
internal sealed record LoadResult(string Name, int Concurrency, int Sent, int Answered, int Errors, double Seconds,
    double Throughput, double P50Ms, double P99Ms, int Agreeing, int Correct, double MeanExitLayer);

internal static class LoadRunner
{
    /// <summary>
    /// Starts the server on 127.0.0.1 (a free port; loopback only), warms it up, then lets
    /// <paramref name="concurrency"/> callers send <paramref name="requests"/> requests in all, each
    /// caller starting its next request when its last one is answered; callers stop issuing at
    /// <paramref name="timeLimit"/>. Every answer is compared with the offline one.
    /// </summary>
    public static async Task<LoadResult> RunAsync(LoadTest test, string modelDirectory, (string Text, int Label)[] texts,
        int concurrency, int requests, TimeSpan timeLimit, IReadOnlyList<ClassifyResult> offline)
    {
        var defaults = new ServerOptions();
        int longest = texts.Max(t => t.Text.Length);
        var options = new ServerOptions
        {
            ModelDirectory = modelDirectory,
            Batching = test.Batching,
            MaxBatchSize = test.BatchSize,
            MaxQueueDelay = test.QueueDelay,
            QueueCapacity = 4096,
            // Real mails run to tens of thousands of characters; the default limit (4,096) would turn
            // them away with 400s. The model reads the first 128 tokens of each either way.
            MaxCharactersPerInput = Math.Max(defaults.MaxCharactersPerInput, longest),
            MaxRequestBodyBytes = Math.Max(defaults.MaxRequestBodyBytes, 8L * longest + 1024),
        };
        await using WebApplication app = EarlyExitServer.Build(options, ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
        await app.StartAsync();
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromMinutes(2) };
        object Body(int i) => new { inputs = new[] { texts[i % texts.Length].Text }, policy = test.Policy.Name, parameter = test.Policy.Parameter };

        // Warm-up: a batch's worth of texts, outside the measurement.
        await Task.WhenAll(Enumerable.Range(0, Math.Min(texts.Length, 2 * test.BatchSize)).Select(i => client.PostAsJsonAsync("/v1/classify", Body(i))));

        var latencies = new double[requests];
        var answers = new ClassifyResult?[requests];
        int next = -1, errors = 0, sent = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            // Check the clock before taking an index, so that an index taken is a request sent.
            while (clock.Elapsed < timeLimit && (i = Interlocked.Increment(ref next)) < requests)
            {
                Interlocked.Increment(ref sent);
                long start = Stopwatch.GetTimestamp();
                try
                {
                    using HttpResponseMessage response = await client.PostAsJsonAsync("/v1/classify", Body(i));
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors);
                        continue;
                    }
                    answers[i] = (await response.Content.ReadFromJsonAsync<ClassifyResponse>())!.Results[0];
                    latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        double seconds = clock.Elapsed.TotalSeconds;
        await app.StopAsync();

        var answered = Enumerable.Range(0, sent).Where(i => answers[i] is not null).ToArray();
        double[] sorted = [.. answered.Select(i => latencies[i]).Order()];
        int agreeing = answered.Count(i => Agrees(answers[i]!, offline[i % texts.Length]));
        int correct = answered.Count(i => answers[i]!.LabelIndex == texts[i % texts.Length].Label);
        return new LoadResult(test.Name, concurrency, sent, answered.Length, errors, seconds, answered.Length / seconds,
            Percentile(sorted, 0.50), Percentile(sorted, 0.99), agreeing, correct,
            answered.Length == 0 ? 0 : answered.Average(i => answers[i]!.ExitLayer));
    }

    private static bool Agrees(ClassifyResult served, ClassifyResult offline) =>
        served.LabelIndex == offline.LabelIndex && served.ExitLayer == offline.ExitLayer && Math.Abs(served.Probability - offline.Probability) <= 1e-4;

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}
