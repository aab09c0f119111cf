using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using EarlyExit.Core.Traces;
using EarlyExit.Data.Tokenization;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Pretrained;
using EarlyExit.Torch.Runtime;
using EarlyExit.Torch.Traces;
using TorchSharp;
using static TorchSharp.torch;

namespace EarlyExit.Bench.Runtime;

/// <summary>
/// Issue 3's runtime targets, on all-MiniLM-L6-v2 (pretrained backbone, fresh 2-class heads) and
/// real texts padded/truncated to 128 tokens, through the real <see cref="EarlyExitRuntime{TInput}"/>:
/// <list type="number">
/// <item>batch 1: the time to exit after layer k (StaticExitPolicy(k), heads and decisions included)
/// as a fraction of the full 6-layer pass, k = 1..6; target within 3 points of k/6;</item>
/// <item>batch 64: a policy that sends half the inputs out after layer 2 vs all 6 layers for all 64.</item>
/// </list>
/// Configurations are interleaved round by round so drift on a shared machine hits them alike;
/// each figure is the median of the timed rounds after warm-up.
/// </summary>
internal static class RuntimeBenchmark
{
    private const int Threads = 2, SequenceLength = 128, BatchSize = 64, Classes = 2;

    public static void Run(TextWriter output, bool quick)
    {
        torch.set_num_threads(Threads);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"runtime benchmark: all-MiniLM-L6-v2, {Classes}-class heads, seq {SequenceLength}, torch threads {torch.get_num_threads()} (set to {Threads}), {Environment.ProcessorCount} cores visible, load average {LoadAverage()}"));
        torch.manual_seed(1);
        using MultiExitEncoder encoder = AllMiniLmL6V2.CreateEncoder(Classes);
        var model = new EncoderExitModel(encoder);
        var tokenizer = TextTokenizer.ForMiniLm(new TokenizerOptions { MaxLength = SequenceLength, PadToMaxLength = true });
        IReadOnlyList<string> texts = BenchTexts.Create(BatchSize);
        TokenBatch batch = tokenizer.EncodeBatch(texts);
        TokenBatch single = tokenizer.EncodeBatch([texts[0]]);
        output.WriteLine($"inputs: {batch.BatchSize} distinct texts, real tokens per row {batch.Lengths.ToArray().Min()}..{batch.Lengths.ToArray().Max()} (truncated to {SequenceLength})");

        SingleInput(output, model, single, warmup: quick ? 1 : 5, rounds: quick ? 3 : 30);
        Batched(output, model, batch, warmup: quick ? 0 : 1, rounds: quick ? 1 : 5);
    }

    private static void SingleInput(TextWriter output, EncoderExitModel model, TokenBatch single, int warmup, int rounds)
    {
        int exits = model.ExitCount;
        var runtimes = Enumerable.Range(1, exits).Select(k => new EarlyExitRuntime<TokenBatch>(model, new StaticExitPolicy(k))).ToArray();
        var times = new List<double>[exits + 1]; // [k − 1] runtime exiting after k layers; [exits] plain pass
        for (int i = 0; i < times.Length; i++) times[i] = [];
        for (int round = 0; round < warmup + rounds; round++)
        {
            // Rotate the order every round so no configuration always runs first or after the longest one.
            for (int i = 0; i <= exits; i++)
            {
                int c = (round + i) % (exits + 1);
                double ms = c < exits ? Time(() => runtimes[c].Run(single)) : Time(() => PlainPass(model, single));
                if (round >= warmup) times[c].Add(ms);
            }
        }

        double full = Median(times[exits - 1]), fullMin = times[exits - 1].Min();
        double plainFull = Median(times[exits]);
        output.WriteLine();
        output.WriteLine($"batch 1, seq {SequenceLength}: StaticExitPolicy(k) through EarlyExitRuntime, median of {rounds} rounds after {warmup} warm-up");
        output.WriteLine($"| exit after k | median ms | fraction of full (k = 6) | k/6 | difference (points) | within 3 points | min ms | fraction by min | FLOPs vs plain model |");
        output.WriteLine($"|---:|---:|---:|---:|---:|:---:|---:|---:|---:|");
        for (int k = 1; k <= exits; k++)
        {
            double ms = Median(times[k - 1]);
            double fraction = ms / full, target = k / (double)exits;
            double points = (fraction - target) * 100;
            double flops = ModelFlops.UpToExit(model, k - 1, SequenceLength) / ModelFlops.FullModel(model, SequenceLength);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {k} | {ms:F2} | {fraction:F3} | {target:F3} | {points:+0.0;-0.0;0.0} | {(Math.Abs(points) <= 3 ? "yes" : "NO")} | {times[k - 1].Min():F2} | {times[k - 1].Min() / fullMin:F3} | {flops:F3} |"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"plain pass (embed, 6 layers, final head only, no decisions): {plainFull:F2} ms; runtime full pass / plain pass = {full / plainFull:F3} (the runtime adds 5 heads and 6 decisions)"));
    }

    private static void Batched(TextWriter output, EncoderExitModel model, TokenBatch batch, int warmup, int rounds)
    {
        int exits = model.ExitCount;
        ExitPolicy half = HalfAfterLayerTwo(model, batch);
        var halfRuntime = new EarlyExitRuntime<TokenBatch>(model, half);
        var fullRuntime = new EarlyExitRuntime<TokenBatch>(model, new StaticExitPolicy(exits));
        ImmutableArray<ExitResult> halfResults = halfRuntime.Run(batch);
        int[] exitCounts = new int[exits];
        foreach (ExitResult r in halfResults) exitCounts[r.ExitIndex]++;

        var halfTimes = new List<double>();
        var fullTimes = new List<double>();
        for (int round = 0; round < warmup + rounds; round++)
        {
            double f = Time(() => fullRuntime.Run(batch));
            double h = Time(() => halfRuntime.Run(batch));
            if (round >= warmup)
            {
                fullTimes.Add(f);
                halfTimes.Add(h);
            }
        }

        double fullMs = Median(fullTimes), halfMs = Median(halfTimes);
        double fullThroughput = batch.BatchSize / (fullMs / 1000), halfThroughput = batch.BatchSize / (halfMs / 1000);
        double halfCompute = halfResults.Average(r => r.Flops) / halfResults.Average(r => r.FullModelFlops);
        double fullCompute = ModelFlops.UpToExit(model, exits - 1, SequenceLength) / ModelFlops.FullModel(model, SequenceLength);
        output.WriteLine();
        output.WriteLine($"batch {batch.BatchSize}, seq {SequenceLength}: median of {rounds} rounds after {warmup} warm-up");
        output.WriteLine($"exits under the half policy ({half.Name}, per-exit τ {string.Join(", ", ((ThresholdPolicy)half).Thresholds.Select(t => t.ToString("G6", CultureInfo.InvariantCulture)))}): " +
                         $"[{string.Join(", ", exitCounts)}] at layers 1..{exits}");
        output.WriteLine($"| policy | median ms per batch | inputs/s | layer speed-up (Σ M·N_m / Σ m·N_m) | expected compute (FLOPs) | measured speed-up |");
        output.WriteLine($"|---|---:|---:|---:|---:|---:|");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| all 6 layers (StaticExitPolicy(6)) | {fullMs:F0} | {fullThroughput:F1} | 1.000 | {fullCompute:F3} | 1.000 |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| half exit after layer 2 | {halfMs:F0} | {halfThroughput:F1} | {SpeedupRatio.FromExitCounts(exitCounts):F3} | {halfCompute:F3} | {fullMs / halfMs:F3} |"));
    }

    /// <summary>
    /// Max-prob thresholds per exit that send exactly half the batch out at exit 2 (0-based 1) and
    /// nobody anywhere else before the last: τ = 1 elsewhere (no exit; the 2-class max-prob of
    /// these heads stays far below 1), and at exit 2 the midpoint between the 32nd and 33rd
    /// smallest max-prob of the batch, read from an exit trace of the same inputs.
    /// </summary>
    private static ThresholdPolicy HalfAfterLayerTwo(EncoderExitModel model, TokenBatch batch)
    {
        ExitTrace trace = ExitTraceRecorder.Record(model, [batch], new int[batch.BatchSize], ["a", "b"]);
        SignalValues[] signals = trace.ComputeSignals();
        float[] atTwo = [.. Enumerable.Range(0, batch.BatchSize).Select(n => signals[(n * trace.ExitCount) + 1].MaxProb).Order()];
        int mid = batch.BatchSize / 2;
        if (atTwo[mid] - atTwo[mid - 1] < 1e-6f)
            throw new InvalidOperationException($"max-prob at exit 2 ties around the median ({atTwo[mid - 1]}, {atTwo[mid]}); cannot split the batch in half");
        double tau = (atTwo[mid - 1] + (double)atTwo[mid]) / 2;
        return new ThresholdPolicy(ExitSignal.MaxProb, [1.0, tau, 1.0, 1.0, 1.0]);
    }

    /// <summary>The model without early exit: embeddings, every layer, the final head only.</summary>
    private static void PlainPass(EncoderExitModel model, TokenBatch batch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        ExitBatchState state = model.Begin(batch);
        for (int k = 0; k < model.ExitCount; k++) state = model.RunLayer(k, state);
        model.RunExit(model.ExitCount - 1, state).data<float>().ToArray();
    }

    /// <summary>The 1-minute load average (Linux), so a reader can tell a quiet run from a contended one.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    private static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
