using EarlyExit.Core.IO;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Training;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Training;

/// <summary>
/// Trains the tiny encoder of <see cref="TrainingFixtures"/> (hidden 32, 2 layers) on 256
/// synthetic examples (8 steps of 32 per epoch); the whole class runs in a few seconds.
/// </summary>
[Collection(TorchGeneratorCollection.Name)]
public sealed class MultiExitTrainerTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"earlyexit-trainer-{Guid.NewGuid():N}");
    private readonly List<TrainingExample> _train = TrainingFixtures.Synthetic(256, seed: 1);
    private readonly List<TrainingExample> _validation = TrainingFixtures.Synthetic(64, seed: 2);

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static MultiExitEncoder NewModel(int seed)
    {
        manual_seed(seed);
        return new MultiExitEncoder(TrainingFixtures.Tiny);
    }

    private static TrainerOptions Fast(int epochs) => new() { Epochs = epochs, LearningRate = 1e-2, WarmupFraction = 0.1 };

    public static TheoryData<string> Objectives => ["joint", "beem", "cosee", "two-stage"];

    private static ITrainingObjective Create(string name) => name switch
    {
        "joint" => new JointObjective(),
        "beem" => new BeemObjective(),
        "cosee" => new CoseeObjective(),
        "two-stage" => new TwoStageObjective(firstStageEpochs: 2),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown objective"),
    };

    [Theory]
    [MemberData(nameof(Objectives))]
    public void LossFallsForEveryObjective(string objective)
    {
        using var model = NewModel(5);
        var trainer = new MultiExitTrainer(model, Create(objective), Fast(epochs: 4), TrainingFixtures.Labels);

        TrainingResult result = trainer.Train(_train, _validation);

        Assert.True(result.Completed);
        Assert.Equal(32, result.GlobalStep); // 4 epochs × ⌈256 / 32⌉
        // Two-stage changes what the loss measures after epoch 2, so compare within each stage.
        Assert.True(result.Epochs[1].MeanLoss < result.Epochs[0].MeanLoss, $"epoch losses {string.Join(", ", result.Epochs.Select(e => e.MeanLoss))}");
        Assert.True(result.Epochs[3].MeanLoss < result.Epochs[2].MeanLoss, $"epoch losses {string.Join(", ", result.Epochs.Select(e => e.MeanLoss))}");
        // And it learnt the task: its best exit beats chance (0.5) clearly on validation. (Two-stage's final
        // exit has had only stage 1's 16 steps; its internal exit learns on top of that backbone.)
        double best = result.Epochs[^1].Validation!.ExitAccuracies.Max();
        Assert.True(best > 0.7, $"best exit's validation accuracy {best}");
    }

    [Fact]
    public void FreezeBackboneTrainsOnlyTheExitHeads()
    {
        using var model = NewModel(5);
        Dictionary<string, Tensor> before = Snapshot(model);
        var trainer = new MultiExitTrainer(model, new JointObjective(), Fast(1) with { FreezeBackbone = true }, TrainingFixtures.Labels);

        trainer.Train(_train);

        foreach (var (name, value) in Snapshot(model))
        {
            if (name.StartsWith("exits.", StringComparison.Ordinal))
                Assert.False(Same(value, before[name]), $"{name} did not train");
            else
                Assert.True(Same(value, before[name]), $"{name} changed although the backbone is frozen");
        }
    }

    [Fact]
    public void HeadLearningRateDrivesTheHeads_AndOnlyTheHeads()
    {
        // With the backbone frozen only heads train, so a run at (backbone 1e-5, heads 1e-2) must
        // end with exactly the head weights of a run at 1e-2 for everything.
        using var split = NewModel(5);
        using var plain = NewModel(5);
        var options = Fast(1) with { FreezeBackbone = true };
        new MultiExitTrainer(split, new JointObjective(), options with { LearningRate = 1e-5, HeadLearningRate = 1e-2 }, TrainingFixtures.Labels).Train(_train);
        new MultiExitTrainer(plain, new JointObjective(), options with { LearningRate = 1e-2 }, TrainingFixtures.Labels).Train(_train);
        var expected = Snapshot(plain);
        foreach (var (name, value) in Snapshot(split))
            Assert.True(Same(value, expected[name]), $"{name} differs although heads had the same rate");

        // And with the backbone training, a larger head rate moves the heads further than the backbone's rate would.
        using var slow = NewModel(5);
        using var fast = NewModel(5);
        var before = Snapshot(slow);
        new MultiExitTrainer(slow, new JointObjective(), Fast(1) with { LearningRate = 1e-4 }, TrainingFixtures.Labels).Train(_train);
        new MultiExitTrainer(fast, new JointObjective(), Fast(1) with { LearningRate = 1e-4, HeadLearningRate = 1e-2 }, TrainingFixtures.Labels).Train(_train);
        const string head = "exits.0.classifier.weight";
        double Moved(MultiExitEncoder m) => (Snapshot(m)[head] - before[head]).abs().sum().item<float>();
        Assert.True(Moved(fast) > 10 * Moved(slow), $"heads moved {Moved(fast)} with 1e-2 vs {Moved(slow)} with 1e-4");
    }

    [Fact]
    public void TwoStageFreezesTheBackboneInStageTwo()
    {
        using var model = NewModel(5);
        Dictionary<string, Tensor> initial = Snapshot(model);
        Dictionary<string, Tensor>? afterStageOne = null;
        var progress = new SyncProgress(p =>
        {
            if (p.Epoch == 0 && p.Step == p.StepsPerEpoch && p.Validation is null) afterStageOne = Snapshot(model);
        });
        var trainer = new MultiExitTrainer(model, new TwoStageObjective(1), Fast(2), TrainingFixtures.Labels);

        trainer.Train(_train, progress: progress);

        Assert.NotNull(afterStageOne);
        Dictionary<string, Tensor> final = Snapshot(model);
        foreach (string name in final.Keys)
        {
            bool internalHead = name.StartsWith("exits.0.", StringComparison.Ordinal);
            // Stage 1 trains everything but the internal head; stage 2 only the internal head.
            Assert.Equal(internalHead, Same(afterStageOne![name], initial[name]));
            Assert.Equal(!internalHead, Same(final[name], afterStageOne[name]));
        }
    }

    [Fact]
    public void AResumedRunEndsWithTheWeightsOfAnUninterruptedOne()
    {
        // COSEE (stateful: threshold range), dropout on, two epochs; stop after global step 5 of 16,
        // mid-epoch 0, and resume into a model with different initial weights.
        TrainerOptions options = Fast(2) with { OutputDirectory = Path.Combine(_directory, "a") };
        using var uninterrupted = NewModel(5);
        TrainingResult full = new MultiExitTrainer(uninterrupted, new CoseeObjective(), options, TrainingFixtures.Labels).Train(_train, _validation);

        options = options with { OutputDirectory = Path.Combine(_directory, "b") };
        using var stopped = NewModel(5);
        using var stop = new CancellationTokenSource();
        TrainingResult partial = new MultiExitTrainer(stopped, new CoseeObjective(), options, TrainingFixtures.Labels)
            .Train(_train, _validation, new SyncProgress(p => { if (p.GlobalStep == 5) stop.Cancel(); }), stop.Token);
        Assert.False(partial.Completed);
        Assert.Equal(5, partial.GlobalStep);

        using var resumedModel = NewModel(99);
        TrainingResult resumed = new MultiExitTrainer(resumedModel, new CoseeObjective(), options, TrainingFixtures.Labels)
            .Resume(partial.ResumeDirectory!, _train, _validation);

        Assert.True(resumed.Completed);
        Assert.Equal(16, resumed.GlobalStep);
        Dictionary<string, Tensor> expected = Snapshot(uninterrupted);
        foreach (var (name, value) in Snapshot(resumedModel))
            Assert.True(Same(value, expected[name]), $"{name} differs by up to {(value - expected[name]).abs().max().item<float>()}");
        Assert.Equal(full.BestEpoch, resumed.BestEpoch);
        // The history survives the resume (issue #15 item 6): epoch 0's loss covers the 5 steps
        // before the stop too, and the epochs' validations are the uninterrupted run's.
        AssertSameHistory(full, resumed);

        // Resuming a finished run takes no step and still reports every epoch.
        using var again = NewModel(99);
        TrainingResult finished = new MultiExitTrainer(again, new CoseeObjective(), options, TrainingFixtures.Labels)
            .Resume(resumed.ResumeDirectory!, _train, _validation);
        Assert.True(finished.Completed);
        AssertSameHistory(full, finished);
    }

    private static void AssertSameHistory(TrainingResult expected, TrainingResult actual)
    {
        Assert.Equal(expected.Epochs.Select(e => e.Epoch), actual.Epochs.Select(e => e.Epoch));
        foreach (var (e, a) in expected.Epochs.Zip(actual.Epochs))
        {
            Assert.Equal(e.MeanLoss, a.MeanLoss, 5);
            Assert.Equal(e.IsBest, a.IsBest);
            Assert.Equal(e.Validation!.ExitAccuracies.ToArray(), a.Validation!.ExitAccuracies.ToArray());
        }
    }

    private sealed class Killed : Exception;

    [Fact]
    public void ARunKilledAtAnyWriteOfItsStateEndsLikeAnUninterruptedOne()
    {
        // Every write of best/ and last/ (each file, and both renames of each generation switch)
        // is a kill point: the next run recovers the folder, resumes (or starts afresh when no whole
        // state is left) and must end with the uninterrupted run's weights and best checkpoint.
        // Two steps an epoch keep the ~20 kill points × 2 runs to seconds.
        List<TrainingExample> train = _train[..64], validation = _validation[..32];
        TrainerOptions options = Fast(2) with { OutputDirectory = Path.Combine(_directory, "whole") };
        using var uninterrupted = NewModel(5);
        TrainingResult full = new MultiExitTrainer(uninterrupted, new CoseeObjective(), options, TrainingFixtures.Labels).Train(train, validation);
        Dictionary<string, Tensor> expected = Snapshot(uninterrupted);
        string expectedBest = FileHash.Sha256(Path.Combine(full.BestDirectory!, ModelCheckpoint.WeightsFileName));

        for (int n = 0; ; n++)
        {
            options = options with { OutputDirectory = Path.Combine(_directory, $"killed-{n}") };
            int writes = 0;
            Core.IO.AtomicFile.BeforeReplace = _ =>
            {
                if (writes++ == n) throw new Killed();
            };
            bool killed = false;
            try
            {
                using var first = NewModel(5);
                new MultiExitTrainer(first, new CoseeObjective(), options, TrainingFixtures.Labels).Train(train, validation);
            }
            catch (Killed)
            {
                killed = true;
            }
            finally
            {
                Core.IO.AtomicFile.BeforeReplace = null;
            }
            if (!killed) break;

            string last = Path.Combine(options.OutputDirectory!, MultiExitTrainer.ResumeDirectoryName);
            Core.IO.AtomicDirectory.Recover(last);
            using var again = NewModel(5);
            var trainer = new MultiExitTrainer(again, new CoseeObjective(), options, TrainingFixtures.Labels);
            TrainingResult rerun = File.Exists(Path.Combine(last, MultiExitTrainer.StateFileName))
                ? trainer.Resume(last, train, validation)
                : trainer.Train(train, validation);

            Assert.True(rerun.Completed);
            foreach (var (name, value) in Snapshot(again))
                Assert.True(Same(value, expected[name]), $"kill at write {n}: {name} differs");
            Assert.Equal(full.BestEpoch, rerun.BestEpoch);
            Assert.Equal(expectedBest, FileHash.Sha256(Path.Combine(rerun.BestDirectory!, ModelCheckpoint.WeightsFileName)));
        }
    }

    [Fact]
    public void KeepsTheBestEpochAsALoadableCheckpoint()
    {
        using var model = NewModel(5);
        var trainer = new MultiExitTrainer(model, new JointObjective(), Fast(3) with { OutputDirectory = _directory }, TrainingFixtures.Labels);

        TrainingResult result = trainer.Train(_train, _validation);

        int best = result.Epochs.MaxBy(e => e.Validation!.MeanAccuracy)!.Epoch; // first of equals, as the trainer keeps
        Assert.Equal(best, result.BestEpoch);
        Assert.Equal(Path.Combine(_directory, "best"), result.BestDirectory);
        LoadedCheckpoint loaded = ModelCheckpoint.Load(result.BestDirectory!);
        using (loaded.Model)
        {
            Assert.Equal(TrainingFixtures.Labels, loaded.Metadata.LabelNames);
            var check = new MultiExitTrainer(loaded.Model, new JointObjective(), Fast(1), TrainingFixtures.Labels);
            Assert.Equal(result.Epochs[best].Validation!.ExitAccuracies.ToArray(), check.Evaluate(_validation).ExitAccuracies.ToArray());
        }
    }

    [Fact]
    public void ResumeRejectsTheStateOfAnotherRun()
    {
        TrainerOptions options = Fast(1) with { OutputDirectory = _directory };
        using var model = NewModel(5);
        TrainingResult result = new MultiExitTrainer(model, new JointObjective(), options, TrainingFixtures.Labels).Train(_train);

        var other = new MultiExitTrainer(model, new JointObjective(), options with { Seed = 7 }, TrainingFixtures.Labels);
        var e = Assert.Throws<InvalidDataException>(() => other.Resume(result.ResumeDirectory!, _train));
        Assert.Contains("belongs to another run: its seed is 42, this run's is 7", e.Message);
    }

    [Fact]
    public void RejectsALabelOutsideTheClasses()
    {
        using var model = NewModel(5);
        var trainer = new MultiExitTrainer(model, new JointObjective(), Fast(1), TrainingFixtures.Labels);
        var e = Assert.Throws<ArgumentException>(() => trainer.Train([new TrainingExample([1, 2], null, 2)]));
        Assert.Contains("train[0] has label 2; the model has 2 classes (0 to 1)", e.Message);
    }

    [Fact]
    public void ReportsEveryStepWithThroughput()
    {
        using var model = NewModel(5);
        var reports = new List<TrainingProgress>();
        var trainer = new MultiExitTrainer(model, new JointObjective(), Fast(1), TrainingFixtures.Labels);

        trainer.Train(_train, _validation, new SyncProgress(reports.Add));

        Assert.Equal(9, reports.Count); // 8 steps + the validation report
        Assert.Equal(Enumerable.Range(1, 8), reports.Take(8).Select(r => r.Step));
        Assert.All(reports.Take(8), r => Assert.True(r.ExamplesPerSecond > 0 && r.LearningRate > 0 && double.IsFinite(r.Loss)));
        Assert.NotNull(reports[^1].Validation);
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private static Dictionary<string, Tensor> Snapshot(MultiExitEncoder model) =>
        model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

    /// <summary>Reports synchronously on the training thread (Progress&lt;T&gt; would post to a thread pool).</summary>
    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
