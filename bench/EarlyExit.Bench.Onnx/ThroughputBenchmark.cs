using System.Collections.Immutable;
using System.Diagnostics;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Policies;
using EarlyExit.Data.Batching;
using EarlyExit.Data.Datasets;
using EarlyExit.Data.Tokenization;
using EarlyExit.Onnx.Export;
using EarlyExit.Onnx.Runtime;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Runtime;
using EarlyExit.Torch.Traces;
using TorchSharp;

namespace EarlyExit.Bench.Onnx;

/// <summary>
/// Issue 18's throughput benchmark, on a data set's whole test split, in ONNX Runtime:
/// (a) the full model, batches of 32 in file order (what a user writes first);
/// (b) the full model, length-sorted token-budget batches (the best full-model setup, the reference of every ratio);
/// (c) early exit, the same batches, float32; (d) early exit, int8; (e) the full model, int8; and each at batch 1.
/// The policy is chosen on the validation split (the fastest setting whose validation accuracy is
/// within 0.5 points of the full model's), then timed on test. Configurations take turns slice by
/// slice, order rotated, minimum over rounds. Prints the layer speed-up and the ideal wall-clock
/// speed-up (no cost but the layers) beside each measured one. Prints; never asserts.
/// </summary>
internal static class ThroughputBenchmark
{
    private const double AccuracyMargin = 0.005;
    private static readonly string[] Families = ["max-prob", "normalized-entropy", "normalized-energy", "patience"];

    public sealed record Settings(string Data, string Model, int Threads, int Rounds, int MaxBatchTokens, int Slices);

    private sealed record Work(TokenBatch Batch, int[] Rows);

    private sealed record Config(string Name, string? IdealReference, Work[] Work, Func<TokenBatch, (int Prediction, int Exit)[]> Run);

    private sealed record Measured(string Name, double Seconds, double Accuracy, double Layer, double Ideal, double Agreement);

    public static void Run(TextWriter output, Settings s)
    {
        var clock = Stopwatch.StartNew();
        torch.set_num_threads(s.Threads);
        Dataset<TextExample> dataset = DatasetCatalog.LoadText(DatasetSpec.Parse(s.Data));
        LoadedCheckpoint loaded = ModelCheckpoint.Load(s.Model);
        using MultiExitEncoder model = loaded.Model;
        var tokenizer = TextTokenizer.ForMiniLm(new TokenizerOptions { MaxLength = loaded.Metadata.Tokenizer?.MaxLength ?? 128 });
        var fp32 = new OnnxBackendOptions { IntraOpThreads = s.Threads, InterOpThreads = 1 };
        var int8 = fp32 with { Precision = OnnxPrecision.Int8 };
        using OnnxExitModel exits32 = OnnxExitModel.Create(model, fp32);
        using OnnxExitModel exits8 = OnnxExitModel.Create(model, int8);
        using OnnxClassifier full32 = OnnxClassifier.Create(model, fp32);
        using OnnxClassifier full8 = OnnxClassifier.Create(model, int8);
        int layers = model.LayerCount;

        // The policy, on validation only.
        List<TextExample> validation = [.. dataset.Validation];
        var validationTrace = ExitTraceRecorder.Record(exits32, [.. validation.Chunk(32).Select(tokenizer.EncodeExamples)],
            [.. validation.Select(e => e.Label)], dataset.ClassNames);
        var evaluator = new TraceEvaluator(validationTrace);
        ExitPolicy policy = Choose(output, evaluator);

        List<TextExample> test = [.. dataset.Test];
        int[] labels = [.. test.Select(e => e.Label)];
        EncodedText[] rows = [.. test.Select(e => tokenizer.EncodeRow(e.Text, e.TextPair))];
        Work[] fileOrder = [.. Enumerable.Range(0, rows.Length).Chunk(32).Select(c => new Work(tokenizer.Collate([.. c.Select(i => rows[i])]), c))];
        Work[] sorted = [.. TokenBudgetBatches.Plan([.. rows.Select(r => r.Length)], s.MaxBatchTokens, 64)
            .Select(b => new Work(tokenizer.Collate([.. b.Select(i => rows[i])]), [.. b]))];
        Work[] singles = [.. Enumerable.Range(0, rows.Length).Select(i => new Work(tokenizer.Collate([rows[i]]), [i]))];
        output.WriteLine($"model {s.Model}; {s.Data} test split, {test.Count:N0} texts (≤ {tokenizer.Options.MaxLength} tokens, mean {rows.Average(r => r.Length):F1}); "
            + $"token budget {s.MaxBatchTokens:N0} → {sorted.Length} batches (file order: {fileOrder.Length} of 32); {s.Threads} threads per ORT session, {s.Rounds} rounds, load {OnnxBenchmark.LoadAverage()}");

        var ee32 = new EarlyExitRuntime<TokenBatch>(exits32, policy);
        var ee8 = new EarlyExitRuntime<TokenBatch>(exits8, policy);
        (int, int)[] Full(OnnxClassifier c, TokenBatch b) => [.. OnnxBenchmark.Predictions(c.Run(b), c.ClassCount).Select(p => (p, layers - 1))];
        (int, int)[] Early(EarlyExitRuntime<TokenBatch> r, TokenBatch b) => [.. r.Run(b).Select(x => (x.Prediction, x.ExitIndex))];
        var blocks = new List<List<Measured>>();
        foreach (bool batched in new[] { true, false })
        {
            Work[] best = batched ? sorted : singles;
            Config[] configs =
            [
                .. batched ? new[] { new Config("(a) full, 32 in file order", null, fileOrder, b => Full(full32, b)) } : [],
                new Config(batched ? "(b) full, token budget" : "(b) full, batch 1", null, best, b => Full(full32, b)),
                new Config("(c) early exit fp32", "(b)", best, b => Early(ee32, b)),
                new Config("(d) early exit int8", "(e)", best, b => Early(ee8, b)),
                new Config("(e) full int8", null, best, b => Full(full8, b)),
            ];
            blocks.Add([.. Time(configs, labels, layers, s.Rounds, s.Slices)]);
        }
        Report(output, blocks, test.Count);
        output.WriteLine($"total {clock.Elapsed.TotalSeconds:F0} s; load average now {OnnxBenchmark.LoadAverage()}");
    }

    private static ExitPolicy Choose(TextWriter output, TraceEvaluator validation)
    {
        double target = validation.ExitAccuracies[^1] - AccuracyMargin;
        PolicySolution? best = null;
        foreach (string name in Families)
        {
            PolicySolution solution = PolicySolver.ForAccuracy(validation, PolicyCatalog.Family(name, null, validation), target);
            if (solution.TargetMet && (best is null || solution.Evaluation.SpeedupRatio > best.Evaluation.SpeedupRatio)) best = solution;
        }
        if (best is null) throw new InvalidOperationException("no setting keeps the validation accuracy within 0.5 points");
        output.WriteLine($"policy chosen on {validation.SampleCount} validation texts: {best.Policy.Name} {best.Policy.Parameter:G4} "
            + $"(validation accuracy {best.Evaluation.Accuracy:F4} vs full {validation.ExitAccuracies[^1]:F4}, layer speed-up {best.Evaluation.SpeedupRatio:F2}×)");
        return best.Policy;
    }

    /// <summary>Times every configuration over all its work, slice by slice in turn (order rotated), minimum over rounds.</summary>
    private static IEnumerable<Measured> Time(Config[] configs, int[] labels, int layers, int rounds, int slices)
    {
        foreach (Config c in configs) foreach (Work w in c.Work.Take(3)) _ = c.Run(w.Batch); // warm-up
        var seconds = configs.Select(_ => new double[rounds]).ToArray();
        var batchSeconds = configs.Select(c => Enumerable.Repeat(double.PositiveInfinity, c.Work.Length).ToArray()).ToArray();
        var predictions = configs.Select(_ => new int[labels.Length]).ToArray();
        var exitIndex = configs.Select(_ => new int[labels.Length]).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            for (int slice = 0; slice < slices; slice++)
            {
                for (int j = 0; j < configs.Length; j++)
                {
                    int c = (j + slice + round) % configs.Length;
                    Work[] work = configs[c].Work;
                    for (int w = slice * work.Length / slices; w < (slice + 1) * work.Length / slices; w++)
                    {
                        long start = Stopwatch.GetTimestamp();
                        var answers = configs[c].Run(work[w].Batch);
                        double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
                        seconds[c][round] += elapsed;
                        batchSeconds[c][w] = Math.Min(batchSeconds[c][w], elapsed);
                        for (int r = 0; r < answers.Length; r++)
                            (predictions[c][work[w].Rows[r]], exitIndex[c][work[w].Rows[r]]) = answers[r];
                    }
                }
            }
        }
        int reference = Array.FindIndex(configs, c => c.Name.StartsWith("(b)", StringComparison.Ordinal));
        for (int c = 0; c < configs.Length; c++)
        {
            int idealFrom = configs[c].IdealReference is { } r ? Array.FindIndex(configs, x => x.Name.StartsWith(r, StringComparison.Ordinal)) : c;
            double ideal = Ideal(configs[c].Work, batchSeconds[idealFrom], exitIndex[c], layers);
            double agreement = predictions[c].Zip(predictions[reference]).Count(p => p.First == p.Second) / (double)labels.Length;
            yield return new Measured(configs[c].Name, seconds[c].Min(), predictions[c].Zip(labels).Count(p => p.First == p.Second) / (double)labels.Length,
                SpeedupRatio.FromExitIndices(exitIndex[c], layers), ideal, agreement);
        }
    }

    /// <summary>Σ t_batch / Σ t_batch·(mean layers run / M): the speed-up with no cost but the layers, each batch at the reference's time.</summary>
    private static double Ideal(Work[] work, double[] referenceSeconds, int[] exits, int layers)
    {
        double full = 0, run = 0;
        for (int w = 0; w < work.Length; w++)
        {
            full += referenceSeconds[w];
            run += referenceSeconds[w] * work[w].Rows.Average(i => (exits[i] + 1.0) / layers);
        }
        return full / run;
    }

    private static void Report(TextWriter output, List<List<Measured>> blocks, int texts)
    {
        output.WriteLine();
        output.WriteLine($"{"configuration",-28}{"texts/s",9}{"accuracy",10}{"agree (b)",11}{"layer ×",9}{"ideal ×",9}{"× vs (b)",10}{"× vs (a)",10}{"/ layer",9}{"/ ideal",9}");
        foreach (List<Measured> block in blocks)
        {
            Measured b = block.First(r => r.Name.StartsWith("(b)", StringComparison.Ordinal));
            Measured? a = block.FirstOrDefault(r => r.Name.StartsWith("(a)", StringComparison.Ordinal));
            foreach (Measured m in block)
            {
                double vsB = b.Seconds / m.Seconds;
                string vsA = a is null ? "-" : (a.Seconds / m.Seconds).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
                output.WriteLine($"{m.Name,-28}{texts / m.Seconds,9:F1}{m.Accuracy,10:F4}{m.Agreement,11:P1}{m.Layer,9:F2}{m.Ideal,9:F2}{vsB,10:F2}{vsA,10}{vsB / m.Layer,9:F2}{vsB / m.Ideal,9:F2}");
            }
            output.WriteLine();
        }
        output.WriteLine("× vs (b): (b)'s time over this one's (the same batching; batch 1 in the second block). / layer: that over the layer speed-up (target ≥ 0.9 for (c)); "
            + "ideal ×: the speed-up with no cost but the layers, each batch at (b)'s time for (c) and (e)'s for (d); agree (b): labels equal to (b)'s.");
    }
}
