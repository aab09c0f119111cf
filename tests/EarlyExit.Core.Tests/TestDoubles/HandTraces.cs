using EarlyExit.Core.Traces;

namespace EarlyExit.Core.Tests.TestDoubles;

/// <summary>Small synthetic traces whose predictions and max-probs are set by hand.</summary>
internal static class HandTraces
{
    /// <summary>
    /// A two-class trace: exits[n][m] = (prediction, max-prob p ∈ [0.5, 1)); the logits are
    /// (ln(p/(1−p)), 0) for class 0 and (0, ln(p/(1−p))) for class 1, so softmax gives max-prob p.
    /// </summary>
    public static ExitTrace Binary(int[] labels, (int Prediction, double MaxProb)[][] exits,
        double[]? cumulativeFlops = null, double fullModelFlops = 0)
    {
        int exitCount = exits[0].Length;
        var logits = new float[labels.Length * exitCount * 2];
        for (int n = 0; n < labels.Length; n++)
        {
            for (int m = 0; m < exitCount; m++)
            {
                (int prediction, double p) = exits[n][m];
                float logit = (float)Math.Log(p / (1 - p));
                logits[(((n * exitCount) + m) * 2) + prediction] = logit;
            }
        }
        return new ExitTrace(logits, labels, exitCount, ["neg", "pos"], cumulativeFlops, fullModelFlops);
    }

    /// <summary>
    /// The 4-sample, 3-exit trace most evaluator tests use (synthetic). Correct per exit:
    /// s0 (label 0): (0,.75) (0,.9) (0,.9)   → right, right, right
    /// s1 (label 1): (0,.9)  (1,.75) (1,.9)  → wrong, right, right
    /// s2 (label 0): (1,.75) (0,.75) (0,.9)  → wrong, right, right
    /// s3 (label 1): (0,.75) (0,.75) (0,.9)  → wrong, wrong, wrong
    /// </summary>
    public static ExitTrace FourSamples(double[]? cumulativeFlops = null, double fullModelFlops = 0) => Binary(
        [0, 1, 0, 1],
        [
            [(0, 0.75), (0, 0.9), (0, 0.9)],
            [(0, 0.9), (1, 0.75), (1, 0.9)],
            [(1, 0.75), (0, 0.75), (0, 0.9)],
            [(0, 0.75), (0, 0.75), (0, 0.9)],
        ],
        cumulativeFlops, fullModelFlops);

    /// <summary>Random logits (synthetic, seeded): N × M × C, labels uniform, logits sharpening with depth.</summary>
    public static ExitTrace Random(int samples, int exits, int classes, int seed, bool withFlops = false)
    {
        var random = new Random(seed);
        var labels = new int[samples];
        var logits = new float[samples * exits * classes];
        for (int n = 0; n < samples; n++)
        {
            labels[n] = random.Next(classes);
            for (int m = 0; m < exits; m++)
            {
                int offset = ((n * exits) + m) * classes;
                for (int c = 0; c < classes; c++) logits[offset + c] = (float)(random.NextDouble() * 4 - 2);
                logits[offset + labels[n]] += (float)(random.NextDouble() * 3 * (m + 1) / exits);
            }
        }
        string[] names = [.. Enumerable.Range(0, classes).Select(c => $"class{c}")];
        if (!withFlops)
            return new ExitTrace(logits, labels, exits, names);
        double[] flops = [.. Enumerable.Range(1, exits).Select(m => (m * 1.0e9) + (m * 1.5e6))];
        return new ExitTrace(logits, labels, exits, names, flops, exits * 1.0e9 + 1.5e6);
    }
}
