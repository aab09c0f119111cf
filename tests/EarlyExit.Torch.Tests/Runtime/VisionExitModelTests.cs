using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using EarlyExit.Core.Traces;
using EarlyExit.Data.Datasets;
using EarlyExit.Torch.Models.Vision;
using EarlyExit.Torch.Runtime;
using EarlyExit.Torch.Tests.TestDoubles;
using EarlyExit.Torch.Tests.Training;
using EarlyExit.Torch.Traces;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Runtime;

/// <summary>
/// Both vision models under the shared runtime and trace recorder, unchanged: the recorded logits
/// are the plain forward's, and every early-exit result (exit, prediction, FLOPs) is the full run
/// with the policy replayed offline. Random weights and synthetic images (seeded noise).
/// </summary>
[Collection(TorchGeneratorCollection.Name)]
public sealed class VisionExitModelTests
{
    public static TheoryData<string> Architectures => ["vit", "cnn"];

    [Theory]
    [MemberData(nameof(Architectures))]
    public void RuntimeMatchesTheFullRunReplayedOffline(string architecture)
    {
        VisionConfig config = architecture == "vit" ? TinyVision.Vit : TinyVision.Cnn;
        manual_seed(11);
        using MultiExitVisionModel network = MultiExitVisionModel.Create(config);
        var model = new VisionExitModel(network);
        ImageExample[] images = TinyVision.Images(config, 12);
        ImageBatch batch = ImageBatch.FromExamples(images, [.. Enumerable.Range(0, 12)], config);
        float[] full = FullRun(network, batch); // [sample][exit][class]
        int exits = config.BlockCount, classes = config.ClassCount;
        var signals = new SignalValues[12 * exits];
        for (int i = 0; i < signals.Length; i++) signals[i] = ExitSignals.Compute(full.AsSpan(i * classes, classes));
        // Threshold at the median of exit 0's max-prob, so some rows leave at 0 and others go on.
        float[] first = [.. Enumerable.Range(0, 12).Select(n => signals[n * exits].MaxProb).Order()];
        var policy = new ThresholdPolicy(ExitSignal.MaxProb, (first[5] + (double)first[6]) / 2);

        var results = new EarlyExitRuntime<ImageBatch>(model, policy).Run(batch);

        for (int n = 0; n < 12; n++)
        {
            int expected = ExitReplay.ExitIndex(policy, signals.AsSpan(n * exits, exits));
            Assert.Equal(expected, results[n].ExitIndex);
            ReadOnlySpan<float> z = full.AsSpan(((n * exits) + expected) * classes, classes);
            Assert.Equal(z.IndexOf(MaxOf(z)), results[n].Prediction);
            Assert.Equal(ModelFlops.UpToExit(model, expected, 0), results[n].Flops);
        }
        Assert.Contains(results, r => r.ExitIndex == 0);
        Assert.Contains(results, r => r.ExitIndex > 0);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void TraceHoldsTheForwardLogitsAndTheHandCountedFlops(string architecture)
    {
        VisionConfig config = architecture == "vit" ? TinyVision.Vit : TinyVision.Cnn;
        using MultiExitVisionModel network = MultiExitVisionModel.Create(config);
        var model = new VisionExitModel(network);
        ImageExample[] images = TinyVision.Images(config, 5);
        ImageBatch[] batches = [ImageBatch.FromExamples(images, [0, 1, 2], config), ImageBatch.FromExamples(images, [3, 4], config)];
        string[] names = [.. Enumerable.Range(0, config.ClassCount).Select(c => $"c{c}")];

        ExitTrace trace = ExitTraceRecorder.Record(model, batches, [.. images.Select(i => i.Label)], names);

        float[] full = FullRun(network, ImageBatch.FromExamples(images, [0, 1, 2, 3, 4], config));
        Assert.Equal(full.Length, trace.AllLogits.Length);
        for (int i = 0; i < full.Length; i++) Assert.Equal(full[i], trace.AllLogits[i], 1e-5f);
        // ViT: 5,632 + 48, then + 4,608 + 48; full model 5,632 + 4,608 + 48 = 10,288.
        // CNN: 12,672 + 16 = 12,688; + 9,216 + 16 = 21,920; + 2,432 + 16 = 24,368; full 24,320 + 16 = 24,336.
        double[] cumulative = architecture == "vit" ? [5_680, 10_336] : [12_688, 21_920, 24_368];
        Assert.Equal(cumulative, trace.CumulativeFlops.ToArray());
        Assert.Equal(architecture == "vit" ? 10_288 : 24_336, trace.FullModelFlops);
    }

    [Fact]
    public void BatchOfTheWrongShapeIsRefusedWithBothShapes()
    {
        using MultiExitVisionModel network = MultiExitVisionModel.Create(TinyVision.Vit);
        var model = new VisionExitModel(network);
        var e = Assert.Throws<ArgumentException>(() => model.Begin(new ImageBatch(new byte[3 * 64], 1, 3, 8)));
        Assert.Contains("3-channel 8-pixel images; the model takes 1-channel 8-pixel images", e.Message);
    }

    private static float[] FullRun(MultiExitVisionModel network, ImageBatch batch)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        network.eval();
        Tensor logits = network.call(batch.ToTensor()); // (exits, batch, classes)
        return logits.transpose(0, 1).contiguous().data<float>().ToArray();
    }

    private static float MaxOf(ReadOnlySpan<float> z)
    {
        float max = float.NegativeInfinity;
        foreach (float v in z) max = Math.Max(max, v);
        return max;
    }
}
