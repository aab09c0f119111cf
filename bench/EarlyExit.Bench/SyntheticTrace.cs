using EarlyExit.Core.Traces;

namespace EarlyExit.Bench;

/// <summary>
/// A synthetic exit trace for timing only (never reported as a result): every exit's logits are
/// Gaussian noise plus a margin on the true class that grows with depth and shrinks with a
/// per-sample difficulty, so policies exit at a realistic spread of depths.
/// </summary>
internal static class SyntheticTrace
{
    public static ExitTrace Create(int samples, int exits, int classes, int seed)
    {
        var random = new Random(seed);
        var logits = new float[samples * exits * classes];
        var labels = new int[samples];
        for (int n = 0; n < samples; n++)
        {
            int label = random.Next(classes);
            labels[n] = label;
            double difficulty = random.NextDouble() * 2.0; // 0 = easy, 2 = hard
            for (int m = 0; m < exits; m++)
            {
                double margin = 4.0 * (m + 1) / exits / (0.5 + difficulty);
                int offset = ((n * exits) + m) * classes;
                for (int c = 0; c < classes; c++)
                    logits[offset + c] = (float)(Gaussian(random) + (c == label ? margin : 0.0));
            }
        }
        var names = Enumerable.Range(0, classes).Select(c => $"class{c}").ToArray();
        return new ExitTrace(logits, labels, exits, names);
    }

    private static double Gaussian(Random random)
    {
        // Box–Muller; 1 − u keeps the log argument in (0, 1].
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
