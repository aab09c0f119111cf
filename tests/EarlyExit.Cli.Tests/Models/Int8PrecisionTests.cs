using EarlyExit.Cli.Tests.TestDoubles;
using EarlyExit.Core.Policies;
using EarlyExit.Onnx.Export;
using EarlyExit.Onnx.Runtime;

namespace EarlyExit.Cli.Tests.Models;

/// <summary>
/// int8 segments (OnnxPrecision.Int8: int8 weights per output channel, activations quantized per
/// call) against float32 segments of the same trained model, label for label at every exit.
/// </summary>
[Collection(MiniLmCollection.Name)]
public sealed class Int8PrecisionTests(TrainedModelFixture model)
{
    [Fact]
    public void Int8_segments_give_the_float32_labels_at_every_exit_for_at_least_99_percent_of_a_slice()
    {
        // The slice: the fixture's 200 synthetic mails (the model was trained on them, frozen backbone,
        // fresh heads); static k runs every exit k = 1..M.
        string[] texts = [.. File.ReadAllLines(model.DataSpec["csv:".Length..]).Skip(1).Select(l => l[1..l.LastIndexOf('"')])];
        var float32 = new EarlyExitClassifierOptions { Backend = InferenceBackend.Onnx, Onnx = new OnnxBackendOptions { IntraOpThreads = 1 } };
        using var reference = EarlyExitClassifier.Load(model.ModelPath, float32);
        using var int8 = EarlyExitClassifier.Load(model.ModelPath, float32 with { Onnx = float32.Onnx with { Precision = OnnxPrecision.Int8 } });
        int agree = 0, total = 0;
        for (int k = 1; k <= reference.ExitCount; k++)
        {
            var policy = new StaticExitPolicy(k);
            var expected = reference.Classify(texts, policy);
            var actual = int8.Classify(texts, policy);
            for (int i = 0; i < texts.Length; i++, total++)
                if (expected[i].ClassIndex == actual[i].ClassIndex) agree++;
        }
        double rate = agree / (double)total;
        // Measured: 1,200 of 1,200 (100 %). On untrained seeded heads, whose logits sit near ties, it
        // was 369 of 384 (96.1 %): the quantization error is real, trained exits are confident.
        Assert.True(rate >= 0.99, $"int8 agrees with float32 on {agree} of {total} labels ({rate:P2})");
    }
}
