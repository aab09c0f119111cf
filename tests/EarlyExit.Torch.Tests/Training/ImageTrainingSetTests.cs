using EarlyExit.Data.Datasets;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Models.Vision;
using EarlyExit.Torch.Tests.TestDoubles;
using EarlyExit.Torch.Training;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Training;

/// <summary>
/// The one training loop on images: tiny ViT and CNN configs of <see cref="TinyVision"/> (2 classes)
/// on the synthetic bars task, with augmentation; every objective learns, and a resumed run ends
/// with the uninterrupted run's weights to the bit.
/// </summary>
[Collection(TorchGeneratorCollection.Name)]
public sealed class ImageTrainingSetTests : IDisposable
{
    private static readonly VisionConfig Vit = TinyVision.Vit with { ClassCount = 2 };
    private static readonly VisionConfig Cnn = TinyVision.Cnn with { Channels = 1 };
    private static readonly string[] Labels = ["horizontal", "vertical"];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"earlyexit-images-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    public static TheoryData<string, string> ObjectivesAndModels => new()
    {
        { "joint", "vit" }, { "beem", "vit" }, { "cosee", "vit" }, { "two-stage", "vit" },
        { "joint", "cnn" }, { "beem", "cnn" }, { "cosee", "cnn" }, { "two-stage", "cnn" },
    };

    [Theory]
    [MemberData(nameof(ObjectivesAndModels))]
    public void EveryObjectiveLearnsTheBarsWithAugmentation(string objective, string architecture)
    {
        VisionConfig config = architecture == "vit" ? Vit : Cnn;
        manual_seed(3);
        using MultiExitVisionModel model = MultiExitVisionModel.Create(config);
        var trainer = new MultiExitTrainer(model, Objective(objective), Options(6), Metadata(config));
        var train = new ImageTrainingSet(TinyVision.Bars(config, 256, seed: 1), config, new ImageAugmentation { Padding = 1 }, "train");
        var validation = new ImageTrainingSet(TinyVision.Bars(config, 128, seed: 2), config, name: "validation");

        TrainingResult result = trainer.Train(train, validation);

        Assert.True(result.Completed);
        Assert.Equal(48, result.GlobalStep); // 6 epochs × ⌈256 / 32⌉
        // Chance is 0.5; the bars are plain, so the best exit must get nearly all right. Two-stage's
        // final exit trains in stage 1 only (3 of the 6 epochs), so it gets a lower bar.
        double best = result.Epochs[^1].Validation!.ExitAccuracies.Max();
        Assert.True(best > (objective == "two-stage" ? 0.75 : 0.9), $"{objective} {architecture}: validation accuracies by epoch and exit {string.Join(" | ", result.Epochs.Select(e => string.Join(" ", e.Validation!.ExitAccuracies.ToArray())))}, losses {string.Join(" ", result.Epochs.Select(e => e.MeanLoss))}");
    }

    [Theory]
    [InlineData("vit")]
    [InlineData("cnn")]
    public void AResumedRunEndsWithTheWeightsOfAnUninterruptedOne(string architecture)
    {
        // COSEE (stateful), augmentation on, BatchNorm statistics for the CNN; stop after step 5 of 16.
        VisionConfig config = architecture == "vit" ? Vit : Cnn;
        var train = new ImageTrainingSet(TinyVision.Bars(config, 256, seed: 1), config, new ImageAugmentation(), "train");
        var validation = new ImageTrainingSet(TinyVision.Bars(config, 64, seed: 2), config, name: "validation");
        TrainerOptions options = Options(2) with { OutputDirectory = Path.Combine(_directory, "a") };
        using MultiExitVisionModel uninterrupted = New(config, 5);
        new MultiExitTrainer(uninterrupted, new CoseeObjective(), options, Metadata(config)).Train(train, validation);

        options = options with { OutputDirectory = Path.Combine(_directory, "b") };
        using MultiExitVisionModel stopped = New(config, 5);
        using var stop = new CancellationTokenSource();
        TrainingResult partial = new MultiExitTrainer(stopped, new CoseeObjective(), options, Metadata(config))
            .Train(train, validation, new SyncProgress(p => { if (p.GlobalStep == 5) stop.Cancel(); }), stop.Token);
        Assert.Equal(5, partial.GlobalStep);
        using MultiExitVisionModel resumedModel = New(config, 99);
        TrainingResult resumed = new MultiExitTrainer(resumedModel, new CoseeObjective(), options, Metadata(config))
            .Resume(partial.ResumeDirectory!, train, validation);

        Assert.Equal(16, resumed.GlobalStep);
        var expected = uninterrupted.state_dict();
        foreach (var (name, value) in resumedModel.state_dict())
            Assert.True(value.eq(expected[name]).all().item<bool>(), $"{name} differs");
    }

    [Fact]
    public void CollatesRawIntensitiesAndAugmentsOnlyWithASeed()
    {
        ImageExample[] images = TinyVision.Images(Cnn, 3);
        var set = new ImageTrainingSet(images, Cnn, new ImageAugmentation { Padding = 2 });

        using TrainingBatch plain = set.Collate([2, 0], augmentationSeed: null);
        using TrainingBatch again = set.Collate([2, 0], augmentationSeed: 17);
        using TrainingBatch same = set.Collate([2, 0], augmentationSeed: 17);

        Assert.Equal([2L, 1, 8, 8], plain.Inputs[0].shape);
        Assert.Equal(images[2].Pixels.Span[5], plain.Inputs[0][0, 0, 0, 5].item<float>());
        Assert.Equal([images[2].Label, images[0].Label], plain.Labels.data<long>().ToArray().Select(l => (int)l));
        Assert.True(again.Inputs[0].eq(same.Inputs[0]).all().item<bool>());
        Assert.False(again.Inputs[0].eq(plain.Inputs[0]).all().item<bool>());
    }

    [Fact]
    public void AnImageOfAnotherSizeIsNamed()
    {
        ImageExample[] images = [.. TinyVision.Images(Cnn, 2), new ImageExample(new byte[100], 10, 10, 0)];
        var e = Assert.Throws<ArgumentException>(() => new ImageTrainingSet(images, Cnn, name: "train"));
        Assert.Contains("train[2] is 10 × 10 pixels; the model takes 8 × 8", e.Message);
    }

    [Fact]
    public void TokenizedExamplesCannotTrainAVisionModel()
    {
        using MultiExitVisionModel model = New(Cnn, 1);
        var trainer = new MultiExitTrainer(model, new JointObjective(), Options(1), Metadata(Cnn));
        var e = Assert.Throws<InvalidOperationException>(() => trainer.Train([new TrainingExample([1, 2], null, 0)]));
        Assert.Contains("this trainer's model is a MultiExitCnn", e.Message);
    }

    private static MultiExitVisionModel New(VisionConfig config, int seed)
    {
        manual_seed(seed);
        return MultiExitVisionModel.Create(config);
    }

    private static TrainerOptions Options(int epochs) => new() { Epochs = epochs, LearningRate = 1e-2, WarmupFraction = 0.1 };

    private static CheckpointMetadata Metadata(VisionConfig config) => new() { Kind = ModelKind.Vision, Vision = config, LabelNames = Labels };

    private static ITrainingObjective Objective(string name) => name switch
    {
        "joint" => new JointObjective(),
        "beem" => new BeemObjective(),
        "cosee" => new CoseeObjective(),
        "two-stage" => new TwoStageObjective(firstStageEpochs: 3),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown objective"),
    };

    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
