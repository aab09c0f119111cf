using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using EarlyExit.Data.Tokenization;
using EarlyExit.Torch.Pretrained;
using EarlyExit.Torch.Runtime;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.TestDoubles;

/// <summary>
/// all-MiniLM-L6-v2's pretrained backbone with fresh 3-class heads drawn from a fixed seed, built
/// once and shared by the runtime and trace tests (inference only: nobody switches it to training),
/// plus real sentences and the reference every early-exit result is checked against: one plain
/// run of all layers and exits (<c>MultiExitEncoder.forward</c>, a separate code path).
/// </summary>
internal static class MiniLmTestModel
{
    public const int Classes = 3;

    private static readonly Lazy<EncoderExitModel> SharedModel = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    public static EncoderExitModel Model => SharedModel.Value;

    public static TextTokenizer Tokenizer { get; } = TextTokenizer.ForMiniLm();

    /// <summary>Real sentences of 6 to 30-odd tokens, so a batch is padded.</summary>
    public static IReadOnlyList<string> Sentences { get; } =
    [
        "The quick brown fox jumps over the lazy dog.",
        "I loved this movie!",
        "Early exiting stops computing once an input is easy enough to classify.",
        "The service was slow, the food was cold and the waiter forgot our drinks twice.",
        "Paris is the capital of France.",
        "Terrible.",
        "A man is playing a guitar on a crowded street corner while children dance around him.",
        "Stock markets fell sharply on Monday after the central bank raised interest rates again.",
    ];

    /// <summary>All exits' logits of one plain run, row-major [sample][exit][class].</summary>
    public static float[] FullRunLogits(TokenBatch batch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long rows = batch.BatchSize, seq = batch.SequenceLength;
        Tensor logits = Model.Encoder.forward(
            tensor(batch.InputIds.ToArray(), [rows, seq]),
            tensor(batch.TokenTypeIds.ToArray(), [rows, seq]),
            tensor(batch.AttentionMask.ToArray(), [rows, seq])); // (exits, batch, classes)
        return logits.transpose(0, 1).contiguous().data<float>().ToArray();
    }

    /// <summary>Signals of every sample at every exit, [sample][exit], from row-major logits.</summary>
    public static SignalValues[] Signals(float[] logits, int samples)
    {
        int exits = Model.ExitCount;
        var signals = new SignalValues[samples * exits];
        for (int i = 0; i < signals.Length; i++) signals[i] = ExitSignals.Compute(logits.AsSpan(i * Classes, Classes));
        return signals;
    }

    /// <summary>Where each sample leaves under <paramref name="policy"/>, replayed offline over a full run.</summary>
    public static int[] ReplayExits(ExitPolicy policy, SignalValues[] signals, int samples)
    {
        int exits = Model.ExitCount;
        return [.. Enumerable.Range(0, samples).Select(n => ExitReplay.ExitIndex(policy, signals.AsSpan(n * exits, exits)))];
    }

    /// <summary>
    /// A max-prob threshold that sends the samples out at as many different exits as possible,
    /// at least 2e-4 from every internal exit's max-prob so float noise between a compacted
    /// batch and a full one cannot flip a decision.
    /// </summary>
    public static ThresholdPolicy SplittingPolicy(SignalValues[] signals, int samples)
    {
        int exits = Model.ExitCount;
        float[] values = [.. Enumerable.Range(0, samples * exits).Where(i => i % exits != exits - 1).Select(i => signals[i].MaxProb).Order()];
        ThresholdPolicy? best = null;
        int bestDistinct = 0;
        for (int i = 0; i + 1 < values.Length; i++)
        {
            if (values[i + 1] - values[i] < 4e-4f) continue;
            var policy = new ThresholdPolicy(ExitSignal.MaxProb, (values[i] + (double)values[i + 1]) / 2);
            int distinct = ReplayExits(policy, signals, samples).Distinct().Count();
            if (distinct > bestDistinct) (best, bestDistinct) = (policy, distinct);
        }
        return best ?? throw new InvalidOperationException("no max-prob threshold separates the samples");
    }

    // Seeded heads from their own generator (the global one is shared with tests running in parallel).
    private static EncoderExitModel Create() => new(AllMiniLmL6V2.CreateEncoder(Classes, headSeed: 20240601));
}
