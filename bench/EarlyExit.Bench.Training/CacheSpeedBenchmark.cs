using System.Diagnostics;
using EarlyExit.Core.Sampling;
using EarlyExit.Data.Datasets;
using EarlyExit.Data.Tokenization;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Pretrained;
using EarlyExit.Torch.Training;
using TorchSharp;

namespace EarlyExit.Bench.Training;

/// <summary>
/// Seconds per epoch of head-only training (self-distill: backbone and final exit frozen) of
/// all-MiniLM-L6-v2's exits on a seeded slice of spam-assassin, with the head-input cache
/// (docs/algorithms.md §3.6) and without, the runs interleaved so machine load hits both alike.
/// Epoch 1 of a cached run includes building the cache; later epochs train on it alone.
/// </summary>
internal static class CacheSpeedBenchmark
{
    public static void Run(TextWriter output, int examples, int length, int epochs, int rounds, int threads)
    {
        torch.set_num_threads(threads);
        var dataset = DatasetCatalog.LoadText(DatasetSpec.Parse("spam-assassin"));
        var tokenizer = TextTokenizer.ForMiniLm(new TokenizerOptions { MaxLength = length });
        var train = SeededShuffle.Sample(dataset.Train, Math.Min(examples, dataset.Train.Count), 42UL);
        var validation = SeededShuffle.Sample(dataset.Validation, Math.Min(examples / 4, dataset.Validation.Count), 43UL);
        output.WriteLine($"spam-assassin: {train.Count} train, {validation.Count} validation, length {length}, {epochs} epochs, {rounds} rounds, {threads} threads");
        var perEpoch = new Dictionary<bool, List<double>[]> { [true] = NewLists(epochs), [false] = NewLists(epochs) };
        for (int round = 0; round < rounds; round++)
            foreach (bool cache in new[] { true, false })
            {
                using var model = AllMiniLmL6V2.CreateEncoder(dataset.ClassNames.Count);
                var trainSet = TokenTrainingSet.Tokenize(train, tokenizer, model.Config, "train");
                var validationSet = TokenTrainingSet.Tokenize(validation, tokenizer, model.Config, "validation");
                var options = new TrainerOptions { Epochs = epochs, BatchSize = 16, HeadLearningRate = 1e-3, Seed = 42, CacheHeadInputs = cache };
                var trainer = new MultiExitTrainer(model, new SelfDistillObjective(), options, dataset.ClassNames,
                    new TokenizerSettings("all-MiniLM-L6-v2", LowerCase: true, MaxLength: length));
                var progress = new EpochClock();
                trainer.Train(trainSet, validationSet, progress, CancellationToken.None);
                for (int e = 0; e < progress.Seconds.Count && e < epochs; e++) perEpoch[cache][e].Add(progress.Seconds[e]);
                output.WriteLine($"  round {round + 1} {(cache ? "cached  " : "uncached")}: {string.Join(" / ", progress.Seconds.Select(x => x.ToString("F2")))} s per epoch");
            }
        for (int e = 0; e < epochs; e++)
        {
            double c = Median(perEpoch[true][e]), u = Median(perEpoch[false][e]);
            output.WriteLine($"epoch {e + 1} (median): cached {c:F2} s, uncached {u:F2} s, uncached / cached {u / c:F1}×");
        }
        int exits = 6, hidden = 384;
        output.WriteLine($"cache: {exits} exits × {hidden} floats × 4 B + 8 B label = {(long)exits * hidden * 4 + 8} B per example");
    }

    private static List<double>[] NewLists(int n) => [.. Enumerable.Range(0, n).Select(_ => new List<double>())];

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length == 0 ? double.NaN : s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    /// <summary>Wall seconds from the start (or the previous epoch's validation) to each epoch's validation report.</summary>
    private sealed class EpochClock : IProgress<TrainingProgress>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private double _last;
        public List<double> Seconds { get; } = [];

        public void Report(TrainingProgress value)
        {
            if (value.Validation is null) return;
            double now = _clock.Elapsed.TotalSeconds;
            Seconds.Add(now - _last);
            _last = now;
        }
    }
}
