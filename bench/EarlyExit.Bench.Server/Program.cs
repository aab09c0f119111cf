using EarlyExit;
using System.Globalization;
using EarlyExit.Bench.Server;
using EarlyExit.Core.Catalog;
using EarlyExit.Data.Tokenization;
using EarlyExit.Server;
using EarlyExit.Server.Api;
using EarlyExit.Server.Serving;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Runtime;

// Usage: dotnet run -c Release --project bench/EarlyExit.Bench.Server -- [--model DIR] [--data SPEC] [--texts N]
//        [--policy NAME[:PARAM]] [--requests N] [--seconds S] [--concurrency 1,16,64] [--batch 32] [--delay-ms 5]
//   --model DIR   a trained, calibrated model folder (default earlyexit-demo/model, what the demo writes)
//   --data SPEC   whose test split is served (default spam-assassin; its classes must be the model's labels)
//   --texts N     the first N test texts, sent round-robin (default 256)
var arguments = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(p => p.a[2..], p => p.i + 1 < args.Length ? args[p.i + 1] : "");
string Arg(string name, string fallback) => arguments.TryGetValue(name, out string? v) ? v : fallback;
int requests = int.Parse(Arg("requests", "400"), CultureInfo.InvariantCulture);
var timeLimit = TimeSpan.FromSeconds(double.Parse(Arg("seconds", "20"), CultureInfo.InvariantCulture));
int[] levels = [.. Arg("concurrency", "1,16,64").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
int batch = int.Parse(Arg("batch", "32"), CultureInfo.InvariantCulture);
var delay = TimeSpan.FromMilliseconds(double.Parse(Arg("delay-ms", "5"), CultureInfo.InvariantCulture));
string modelDirectory = Arg("model", Path.Combine("earlyexit-demo", "model"));
if (!File.Exists(Path.Combine(modelDirectory, ModelCheckpoint.MetadataFileName)))
{
    Console.Error.WriteLine($"no model in {Path.GetFullPath(modelDirectory)}: run the demo first (dotnet run -c Release --project src/EarlyExit.Cli -- demo) or give --model DIR");
    return 1;
}

// Offline answers: EarlyExitRuntime on each text alone, the reference every served answer is checked against.
using EarlyExitClassifier offlineModel = EarlyExitClassifier.Load(modelDirectory);
string dataSpec = Arg("data", "spam-assassin");
var texts = BenchTexts.Load(dataSpec, int.Parse(Arg("texts", "256"), CultureInfo.InvariantCulture), offlineModel.Labels);
PolicySpec policy = Arg("policy", "") is { Length: > 0 } p
    ? (p.Split(':') is [var n, var v] ? new PolicySpec(n, double.Parse(v, CultureInfo.InvariantCulture)) : new PolicySpec(p))
    : offlineModel.DefaultPolicy;
int exits = offlineModel.Model.ExitCount;
var allLayers = new PolicySpec("static", exits);
ClassifyResult[] Offline(PolicySpec spec) => [.. texts.Select(t =>
{
    ExitResult r = new EarlyExitRuntime<TokenBatch>(offlineModel.Model, offlineModel.ResolvePolicy(spec)).Run(offlineModel.Tokenizer.Encode(t.Text))[0];
    return new ClassifyResult(offlineModel.Labels[r.Prediction], r.Prediction, r.Probabilities[r.Prediction], r.LayersExecuted, r.ComputeFraction, Id: "");
})];
var offlineEarly = Offline(policy);
var offlineAll = Offline(allLayers);
var histogram = offlineEarly.GroupBy(r => r.ExitLayer).OrderBy(g => g.Key).Select(g => $"{g.Key}:{g.Count()}");
Console.WriteLine($"model {modelDirectory}; {texts.Length} test texts of {dataSpec}; policy {policy}");
Console.WriteLine($"offline exit layers (layer:count): {string.Join(" ", histogram)}; mean compute fraction {offlineEarly.Average(r => r.ComputeFraction):F3}; "
    + $"accuracy early exit {offlineEarly.Select((r, i) => r.LabelIndex == texts[i].Label ? 1.0 : 0.0).Average():P1}, all layers {offlineAll.Select((r, i) => r.LabelIndex == texts[i].Label ? 1.0 : 0.0).Average():P1}");

// The ceiling of depth pooling over static batching on this machine, from the cost of a layer step vs its rows.
var costs = LayerCostProbe.Measure(offlineModel, [.. texts.Select(t => t.Text)], batch, repeats: 9);
double[] survivors = [.. Enumerable.Range(1, exits).Select(k => offlineEarly.Count(r => r.ExitLayer >= k) / (double)texts.Length)];
Console.WriteLine("layer step (one layer and its exit) vs rows: " + string.Join(", ", costs.Select(c => string.Create(CultureInfo.InvariantCulture,
    $"{c.Rows}: {c.Milliseconds:F1} ms ({c.Milliseconds / c.Rows:F2}/row)"))));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"ceiling of depth-pooled / static batching at batch {batch} for this exit distribution: {LayerCostProbe.Ceiling(costs, survivors):F2}x here; "
    + $"{exits / survivors.Sum():F2}x where a step's cost does not grow with its rows"));
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
        LoadResult r = await LoadRunner.RunAsync(test, modelDirectory, texts, concurrency, requests, timeLimit, offline);
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
return 0;
