using EarlyExit;
using System.Diagnostics;
using EarlyExit.Data.Tokenization;
using EarlyExit.Server.Serving;
using EarlyExit.Torch.Runtime;
using static TorchSharp.torch;

namespace EarlyExit.Bench.Server;

/// <summary>
/// What batching can gain on this machine at all: the wall time of one layer step (layer and its
/// exit) for 1..B rows of real texts, and from it the most any depth-pooled scheduler could beat
/// static batching by for a given exit distribution.
/// </summary>
/// <remarks>
/// Static batching runs layer k on the rows of its batch still running, B·S_k of them (S_k the
/// share of inputs that reach layer k); depth pooling runs every step on B rows. Both run the same
/// row-layers, so with c(n) the cost of a step on n rows the ceiling of pooled over static is
/// Σ_k E[c(rows reaching k)] / (c(B)·Σ_k S_k): near 1 where c grows linearly in n (a CPU whose cores a few rows
/// already fill) and up to M / Σ_k S_k, the layer speed-up, where c is flat (an accelerator with
/// idle capacity). Scheduling overhead, padding and queueing only lower it.
/// </remarks>
internal static class LayerCostProbe
{
    public static (int Rows, double Milliseconds)[] Measure(EarlyExitClassifier model, IReadOnlyList<string> texts, int maxRows, int repeats)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var batch = model.Tokenizer.EncodeBatch([.. texts.Take(maxRows)]);
        IMultiExitModel<TokenBatch> network = model.Model;
        ExitBatchState all = network.Begin(batch);
        var sizes = new List<int>();
        for (int n = 1; n < maxRows; n *= 2) sizes.Add(n);
        sizes.Add(maxRows);
        return [.. sizes.Select(rows =>
        {
            ExitBatchState state = all.SelectRows([.. Enumerable.Range(0, rows)]);
            var times = new double[repeats + 1];
            for (int i = 0; i < times.Length; i++)
            {
                using var step = NewDisposeScope();
                long start = Stopwatch.GetTimestamp();
                network.RunLayerAndExit(0, state).Logits.data<float>().ToArray(); // the host copy the scheduler makes too
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            return (rows, times.Skip(1).Order().ElementAt(repeats / 2)); // the first call warms up; the median of the rest
        })];
    }

    /// <summary>
    /// Σ_k E[c(X_k)] / (c(B)·Σ_k S_k) with X_k ~ Binomial(B, S_k), the rows of a full static batch
    /// that reach layer k (every input exits independently); c is interpolated linearly between the
    /// measured row counts, and c(0) = 0 (a layer no row reaches is not run).
    /// </summary>
    /// <param name="costs">Measured (rows, ms), rows ascending from 1, the last = B.</param>
    /// <param name="survivors">S_k for k = 1..M: the share of inputs that run layer k (S_1 = 1).</param>
    public static double Ceiling((int Rows, double Milliseconds)[] costs, IReadOnlyList<double> survivors)
    {
        int b = costs[^1].Rows;
        double Cost(int n)
        {
            if (n == 0) return 0;
            int i = Array.FindIndex(costs, c => c.Rows >= n);
            if (costs[i].Rows == n) return costs[i].Milliseconds;
            var (r0, c0) = costs[i - 1];
            var (r1, c1) = costs[i];
            return c0 + (c1 - c0) * (n - r0) / (r1 - r0);
        }
        double Expected(double s)
        {
            // P(X = n) by the recurrence P(n) = P(n−1)·(B−n+1)/n·s/(1−s), from P(0) = (1−s)^B.
            if (s >= 1) return Cost(b);
            double p = Math.Pow(1 - s, b), sum = 0;
            for (int n = 0; n <= b; n++)
            {
                sum += p * Cost(n);
                p *= (double)(b - n) / (n + 1) * s / (1 - s);
            }
            return sum;
        }
        return survivors.Sum(Expected) / (Cost(b) * survivors.Sum());
    }
}
