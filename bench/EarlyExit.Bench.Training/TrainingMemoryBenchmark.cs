using System.Diagnostics;
using System.Globalization;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Pretrained;
using EarlyExit.Torch.Training;
using static TorchSharp.torch;

namespace EarlyExit.Bench.Training;

/// <summary>
/// Trains one epoch and prints the process's resident set size every few steps, to show that
/// one dispose scope per step keeps memory flat (issue 4, "Memory"). Not a test: it prints a
/// table and never fails.
/// </summary>
/// <remarks>
/// Inputs are synthetic token ids (uniform over the vocabulary, lengths uniform in
/// [length/2, length], [CLS] … [SEP]) with random labels: memory depends on shapes, not on
/// what the text says.
/// </remarks>
internal static class TrainingMemoryBenchmark
{
    public static void Run(TextWriter output, Settings settings)
    {
        if (settings.Threads > 0) set_num_threads(settings.Threads);
        manual_seed(1);
        using MultiExitEncoder model = settings.Tiny
            ? new MultiExitEncoder(new EncoderConfig { VocabularySize = 1000, HiddenSize = 64, LayerCount = 4, HeadCount = 4, IntermediateSize = 128, ClassCount = 2, MaxPositions = 512, Pooling = ExitPooling.Mean })
            : AllMiniLmL6V2.CreateEncoder(classCount: 2);
        List<TrainingExample> train = Synthetic(settings.Examples, settings.Length, model.Config.VocabularySize, seed: 2);
        ITrainingObjective objective = settings.Objective switch
        {
            "joint" => new JointObjective(),
            "beem" => new BeemObjective(),
            "cosee" => new CoseeObjective(),
            _ => throw new ArgumentException($"objective must be joint, beem or cosee; got {settings.Objective}"),
        };
        var options = new TrainerOptions { Epochs = 1, BatchSize = settings.BatchSize, FreezeBackbone = settings.FreezeBackbone };
        var trainer = new MultiExitTrainer(model, objective, options, ["a", "b"]);

        output.WriteLine($"model {(settings.Tiny ? "tiny (hidden 64, 4 layers)" : "all-MiniLM-L6-v2 (6 layers, hidden 384)")}, objective {objective.Name}, "
            + $"{(settings.FreezeBackbone ? "frozen backbone" : "full fine-tuning")}, {settings.Examples} synthetic examples of ≤ {settings.Length} tokens, batch {settings.BatchSize}, "
            + $"{Environment.ProcessorCount} cores, torch threads {get_num_threads()}");
        output.WriteLine();
        output.WriteLine("  step |   loss | ex/s | RSS MiB | managed MiB");
        output.WriteLine("-------+--------+------+---------+------------");
        Row(output, 0, double.NaN, double.NaN);
        long firstRss = 0, peakRss = 0;
        var progress = new InlineProgress(p =>
        {
            long rss = Rss();
            peakRss = Math.Max(peakRss, rss);
            if (p.GlobalStep == 1) firstRss = rss;
            if (p.Validation is null && (p.GlobalStep % settings.Every == 0 || p.Step == p.StepsPerEpoch))
                Row(output, p.GlobalStep, p.Loss, p.ExamplesPerSecond);
        });
        var clock = Stopwatch.StartNew();
        trainer.Train(train, progress: progress);
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RSS after step 1 {firstRss / 1048576.0:F0} MiB, peak {peakRss / 1048576.0:F0} MiB, after the epoch {Rss() / 1048576.0:F0} MiB; {clock.Elapsed.TotalSeconds:F0} s"));
    }

    private static void Row(TextWriter output, long step, double loss, double examplesPerSecond) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{step,6} | {loss,6:F3} | {examplesPerSecond,4:F0} | {Rss() / 1048576.0,7:F0} | {GC.GetTotalMemory(false) / 1048576.0,11:F1}"));

    /// <summary>VmRSS from /proc/self/status (Environment.WorkingSet reads the same on Linux).</summary>
    private static long Rss() => Environment.WorkingSet;

    /// <summary>[CLS] w … w [SEP] with words uniform in [firstWord, vocabulary) and random labels.</summary>
    private static List<TrainingExample> Synthetic(int count, int length, int vocabulary, int seed)
    {
        // MiniLM: [CLS] = 101, [SEP] = 102, ids from 1000 up are word pieces; the tiny model: 1, 2, then 3 up.
        (long cls, long sep, int firstWord) = vocabulary > 1000 ? (101L, 102L, 1000) : (1L, 2L, 3);
        var random = new Random(seed);
        var examples = new List<TrainingExample>(count);
        for (int i = 0; i < count; i++)
        {
            var ids = new long[random.Next(length / 2, length + 1)];
            for (int t = 1; t < ids.Length - 1; t++) ids[t] = random.Next(firstWord, vocabulary);
            ids[0] = cls;
            ids[^1] = sep;
            examples.Add(new TrainingExample(ids, null, random.Next(2)));
        }
        return examples;
    }

    /// <param name="Threads">torch's intra-op threads; 0 keeps libtorch's default (one per core).</param>
    internal sealed record Settings(bool Tiny, string Objective, int Examples, int Length, int BatchSize, int Every, bool FreezeBackbone, int Threads);

    private sealed class InlineProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
