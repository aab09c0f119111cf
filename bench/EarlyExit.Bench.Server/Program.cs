using System.Globalization;
using EarlyExit.Bench.Server;
using EarlyExit.Core.Catalog;
using EarlyExit.Data.Tokenization;
using EarlyExit.Server;
using EarlyExit.Server.Api;
using EarlyExit.Server.Serving;
using EarlyExit.Torch.Runtime;

// Usage: dotnet run -c Release --project bench/EarlyExit.Bench.Server -- [--model DIR] [--policy NAME[:PARAM]]
//        [--requests N] [--seconds S] [--concurrency 1,16,64] [--batch 32] [--delay-ms 5]
var arguments = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(p => p.a[2..], p => p.i + 1 < args.Length ? args[p.i + 1] : "");
string Arg(string name, string fallback) => arguments.TryGetValue(name, out string? v) ? v : fallback;
int requests = int.Parse(Arg("requests", "400"), CultureInfo.InvariantCulture);
var timeLimit = TimeSpan.FromSeconds(double.Parse(Arg("seconds", "20"), CultureInfo.InvariantCulture));
int[] levels = [.. Arg("concurrency", "1,16,64").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
int batch = int.Parse(Arg("batch", "32"), CultureInfo.InvariantCulture);
var delay = TimeSpan.FromMilliseconds(double.Parse(Arg("delay-ms", "5"), CultureInfo.InvariantCulture));

string? temporary = null;
string modelDirectory = Arg("model", "");
if (modelDirectory.Length == 0)
{
    temporary = Path.Combine(Path.GetTempPath(), $"earlyexit-bench-server-{Guid.NewGuid():N}");
    Console.WriteLine($"no --model: building the demo model (MiniLM backbone, seeded untrained heads) in {temporary}");
    modelDirectory = BenchModel.Create(temporary);
}
try
{
    // Offline answers: EarlyExitRuntime on each sentence alone, the reference every served answer is checked against.
    using ServingModel offlineModel = ServingModel.Load(modelDirectory);
    PolicySpec policy = Arg("policy", "") is { Length: > 0 } p
        ? (p.Split(':') is [var n, var v] ? new PolicySpec(n, double.Parse(v, CultureInfo.InvariantCulture)) : new PolicySpec(p))
        : offlineModel.DefaultPolicy;
    var allLayers = new PolicySpec("static", offlineModel.Model.ExitCount);
    Dictionary<string, ClassifyResult> Offline(PolicySpec spec) => BenchSentences.All.ToDictionary(s => s.Text, s =>
    {
        ExitResult r = new EarlyExitRuntime<TokenBatch>(offlineModel.Model, offlineModel.ResolvePolicy(spec)).Run(offlineModel.Tokenizer.Encode(s.Text))[0];
        return new ClassifyResult(offlineModel.Labels[r.Prediction], r.Prediction, r.Probabilities[r.Prediction], r.LayersExecuted, r.ComputeFraction);
    });
    var offlineEarly = Offline(policy);
    var offlineAll = Offline(allLayers);
    var histogram = offlineEarly.Values.GroupBy(r => r.ExitLayer).OrderBy(g => g.Key).Select(g => $"{g.Key}:{g.Count()}");
    Console.WriteLine($"policy {policy}; offline exit layers over the {BenchSentences.All.Length} sentences (layer:count): {string.Join(" ", histogram)}; "
        + $"mean compute fraction {offlineEarly.Values.Average(r => r.ComputeFraction):F3}");
    Console.WriteLine($"{requests} one-input requests per run (time limit {timeLimit.TotalSeconds:F0} s), batch {batch}, queue delay {delay.TotalMilliseconds} ms, "
        + $"{Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

    LoadTest[] tests =
    [
        new("all layers (static batching)", BatchingMode.Static, allLayers, batch, delay),
        new("early exit, batch 1", BatchingMode.Single, policy, 1, TimeSpan.Zero),
        new("early exit, static batching", BatchingMode.Static, policy, batch, delay),
        new("early exit, depth-pooled", BatchingMode.DepthPooled, policy, batch, delay),
    ];
    var results = new List<LoadResult>();
    Console.WriteLine();
    Console.WriteLine("| configuration | clients | sent | answered | errors | req/s | p50 ms | p99 ms | agree offline | accuracy | mean exit layer |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    foreach (int concurrency in levels)
    {
        foreach (LoadTest test in tests)
        {
            var offline = test.Policy == allLayers ? offlineAll : offlineEarly;
            LoadResult r = await LoadRunner.RunAsync(test, modelDirectory, concurrency, requests, timeLimit, offline);
            results.Add(r);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.Concurrency} | {r.Sent} | {r.Answered} | {r.Errors} | {r.Throughput:F1} | {r.P50Ms:F1} | {r.P99Ms:F1} | {r.Agreeing}/{r.Answered} | {(double)r.Correct / Math.Max(1, r.Answered):P1} | {r.MeanExitLayer:F2} |"));
        }
    }
    Console.WriteLine();
    foreach (int concurrency in levels)
    {
        double pooled = results.Single(r => r.Concurrency == concurrency && r.Name.EndsWith("depth-pooled", StringComparison.Ordinal)).Throughput;
        double statics = results.Single(r => r.Concurrency == concurrency && r.Name.EndsWith("static batching", StringComparison.Ordinal)).Throughput;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{concurrency} clients: depth-pooled / static batching throughput = {pooled / statics:F2}x"));
    }
}
finally
{
    if (temporary is not null) Directory.Delete(temporary, recursive: true);
}
