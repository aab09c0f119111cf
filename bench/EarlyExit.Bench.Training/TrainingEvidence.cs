using System.Diagnostics;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Sampling;
using EarlyExit.Core.Traces;
using EarlyExit.Data.Datasets;
using EarlyExit.Data.Tokenization;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Pretrained;
using EarlyExit.Torch.Runtime;
using EarlyExit.Torch.Traces;
using EarlyExit.Torch.Training;
using TorchSharp;

namespace EarlyExit.Bench.Training;

/// <summary>
/// Issue 4's evidence: fine-tune all-MiniLM-L6-v2 with six exits on a real data set under a time
/// budget, write exit traces for validation and test, and print per-exit test accuracy and the
/// normalised-energy threshold that validation picks for a ≥ 2× speed-up, measured on test.
/// </summary>
internal static class TrainingEvidence
{
    public sealed record Settings(string Data, string Objective, int TrainExamples, int Epochs, int Length,
        int BatchSize, double LearningRate, double HeadLearningRate, int Minutes, int Threads, string OutDirectory, int Seed, bool Resume = false);

    public static void Run(TextWriter output, Settings s)
    {
        torch.set_num_threads(s.Threads);
        var clock = Stopwatch.StartNew();
        var dataset = DatasetCatalog.LoadText(DatasetSpec.Parse(s.Data));
        var tokenizer = TextTokenizer.ForMiniLm(new TokenizerOptions { MaxLength = s.Length });
        // A seeded subset of train when the budget cannot cover all of it (said in the output).
        var train = SeededShuffle.Sample(dataset.Train, Math.Min(s.TrainExamples, dataset.Train.Count), unchecked((ulong)s.Seed));
        output.WriteLine($"{s.Data}: train {dataset.Train.Count} (using {train.Count}), validation {dataset.Validation.Count}, test {dataset.Test.Count}; " +
                         $"objective {s.Objective}, {s.Epochs} epochs, max length {s.Length}, batch {s.BatchSize}, lr {s.LearningRate} (heads {s.HeadLearningRate}), {s.Threads} threads");

        ITrainingObjective objective = s.Objective switch
        {
            "joint" => new JointObjective(),
            "beem" => new BeemObjective(),
            "cosee" => new CoseeObjective(),
            _ => throw new ArgumentException($"unknown objective '{s.Objective}'; valid: joint, beem, cosee"),
        };
        using var model = AllMiniLmL6V2.CreateEncoder(dataset.ClassNames.Count);
        var options = new TrainerOptions
        {
            Epochs = s.Epochs, BatchSize = s.BatchSize, LearningRate = s.LearningRate, HeadLearningRate = s.HeadLearningRate, Seed = s.Seed,
            OutputDirectory = Path.Combine(s.OutDirectory, "training"),
        };
        var trainer = new MultiExitTrainer(model, objective, options, dataset.ClassNames,
            new TokenizerSettings("all-MiniLM-L6-v2", LowerCase: true, MaxLength: s.Length));
        using var budget = new CancellationTokenSource(TimeSpan.FromMinutes(s.Minutes));
        var progress = new Progress(output);
        // --resume continues a run the budget stopped (its last/ state), to the same weights as an uninterrupted run.
        string resumeDirectory = Path.Combine(options.OutputDirectory, MultiExitTrainer.ResumeDirectoryName);
        if (s.Resume) output.WriteLine($"resuming from {resumeDirectory}");
        var trainSet = TokenTrainingSet.Tokenize(train, tokenizer, model.Config, "train");
        var validationSet = TokenTrainingSet.Tokenize(dataset.Validation, tokenizer, model.Config, "validation");
        var result = s.Resume
            ? trainer.Resume(resumeDirectory, trainSet, validationSet, progress, budget.Token)
            : trainer.Train(trainSet, validationSet, progress, budget.Token);
        // CPU time as well as wall time: on a shared machine the wall time says little about the run's own cost.
        output.WriteLine($"training {(result.Completed ? "completed" : "stopped by the time budget")} after {result.GlobalStep} steps, " +
                         $"{clock.Elapsed.TotalMinutes:F1} min, {Process.GetCurrentProcess().TotalProcessorTime.TotalMinutes:F1} CPU min; best epoch {result.BestEpoch}");
        // The best epoch's checkpoint; when the budget stopped training inside the first epoch,
        // the weights as they are after the last finished step (said in the output).
        using var bestModel = result.BestDirectory is null ? null : ModelCheckpoint.Load(result.BestDirectory).Model;
        if (bestModel is null)
            output.WriteLine("no epoch finished within the budget: evaluating the weights after the last step");
        var runtimeModel = new EncoderExitModel(bestModel ?? model);
        var validation = Record(runtimeModel, tokenizer, dataset.Validation, dataset.ClassNames, Path.Combine(s.OutDirectory, "validation.eetrace"));
        var test = Record(runtimeModel, tokenizer, dataset.Test, dataset.ClassNames, Path.Combine(s.OutDirectory, "test.eetrace"));
        Report(output, validation, test);
        output.WriteLine($"total {clock.Elapsed.TotalMinutes:F1} min; traces in {s.OutDirectory}");
    }

    private static void Report(TextWriter output, TraceEvaluator validation, TraceEvaluator test)
    {
        output.WriteLine($"per-exit test accuracy:       {string.Join(" / ", test.ExitAccuracies.Select(a => a.ToString("F3")))}");
        output.WriteLine($"per-exit validation accuracy: {string.Join(" / ", validation.ExitAccuracies.Select(a => a.ToString("F3")))}");
        output.WriteLine($"{"policy",-20}{"param (val)",12}{"val acc",9}{"val ×",7}{"test acc",10}{"test ×",8}{"test compute",14}");
        foreach (string name in new[] { "normalized-energy", "max-prob" })
        {
            var family = PolicyCatalog.Family(name, null, validation);
            var solution = PolicySolver.ForSpeedup(validation, family, 2.0);
            var onTest = test.Evaluate(family.Create(solution.Parameter));
            output.WriteLine($"{name,-20}{solution.Parameter,12:G4}{solution.Evaluation.Accuracy,9:F4}{solution.Evaluation.SpeedupRatio,7:F2}" +
                             $"{onTest.Accuracy,10:F4}{onTest.SpeedupRatio,8:F2}{onTest.ExpectedCompute,14:F3}" +
                             (solution.TargetMet ? "" : "  (2× not reached on validation)"));
        }
    }

    private static TraceEvaluator Record(EncoderExitModel model, TextTokenizer tokenizer, IReadOnlyList<TextExample> examples,
        IReadOnlyList<string> classNames, string path)
    {
        var trace = ExitTraceRecorder.Record(model, tokenizer, [.. examples.Select(e => e.Text)], [.. examples.Select(e => e.TextPair)],
            [.. examples.Select(e => e.Label)], classNames, batchSize: 32);
        ExitTraceFile.Write(trace, path);
        return new TraceEvaluator(trace);
    }

    private sealed class Progress(TextWriter output) : IProgress<TrainingProgress>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _last = TimeSpan.Zero;

        public void Report(TrainingProgress value)
        {
            if (value.Validation is { } v)
            {
                output.WriteLine($"  epoch {value.Epoch}: validation per-exit accuracy {string.Join(" / ", v.ExitAccuracies.Select(a => a.ToString("F3")))}");
                return;
            }
            if (_clock.Elapsed - _last < TimeSpan.FromSeconds(60)) return;
            _last = _clock.Elapsed;
            output.WriteLine($"  epoch {value.Epoch} step {value.Step}/{value.StepsPerEpoch}: loss {value.MeanLoss:F4}, {value.ExamplesPerSecond:F1} ex/s, {_clock.Elapsed.TotalMinutes:F1} min");
        }
    }
}
