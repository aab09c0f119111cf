using EarlyExit.Core.Traces;

namespace EarlyExit.Cli.Tests.TestDoubles;

/// <summary>
/// Synthetic exit traces (our choice, for evaluation tests without a model): 3 classes, later
/// exits more often right and more confident, logits drawn from a seeded generator.
/// </summary>
internal static class RandomTraces
{
    public static ExitTrace Create(int samples, int exits = 4, int seed = 7)
    {
        const int Classes = 3;
        var random = new Random(seed);
        var labels = new int[samples];
        var logits = new float[samples * exits * Classes];
        for (int n = 0; n < samples; n++)
        {
            labels[n] = random.Next(Classes);
            for (int m = 0; m < exits; m++)
            {
                // Exit m favours the label with a margin that grows with depth, plus noise.
                for (int c = 0; c < Classes; c++)
                {
                    double margin = c == labels[n] ? 0.8 * (m + 1) : 0;
                    logits[(((n * exits) + m) * Classes) + c] = (float)(margin + (2 * random.NextDouble()) - 1);
                }
            }
        }
        double[] flops = [.. Enumerable.Range(1, exits).Select(m => 10.0 * m + 1)];
        return new ExitTrace(logits, labels, exits, ["a", "b", "c"], flops, 10.0 * exits);
    }
}
