using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using EarlyExit.Torch.Runtime;
using EarlyExit.Torch.Tests.TestDoubles;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Runtime;

/// <summary>The per-row exit step on hand-worked synthetic logits.</summary>
public sealed class ExitStepTests
{
    [Fact]
    public void ResultCarriesTheProbabilitiesFlopsAndFullModelCost()
    {
        var model = Model();
        SignalValues signals = ExitSignals.Compute([0f, MathF.Log(3)]);

        ExitResult result = ExitStep.Result(model, [0f, MathF.Log(3)], signals, 1, 42, 5);

        Assert.Equal(1, result.Prediction);
        Assert.Equal(0.25f, result.Probabilities[0], 1e-6f);
        Assert.Equal(0.75f, result.Probabilities[1], 1e-6f);
        Assert.Equal(42, result.Flops);
        // Layers cost 10·tokens + layer, heads 1: full model at 5 tokens = 50 + 51 + 52 + 1 = 154.
        Assert.Equal(154, result.FullModelFlops);
        Assert.Equal(51 + 1, ExitStep.Flops(model, 1, 5)); // layer 1 and head 1

    }

    [Fact]
    public void CopyLogitsRejectsTheWrongShape()
    {
        using var scope = NewDisposeScope();
        var model = Model();
        var destination = new float[6];

        var e = Assert.Throws<InvalidOperationException>(() => ExitStep.CopyLogits(model, zeros(3, 3), 3, 1, destination));
        ExitStep.CopyLogits(model, arange(6, dtype: ScalarType.Float64).view(3, 2), 3, 1, destination);

        Assert.Contains("exit 1 of FlopsOnlyModel returned logits of shape (3, 3); expected (3, 2)", e.Message, StringComparison.Ordinal);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, destination); // float64 converted to float32
    }

    private static FlopsOnlyModel Model() => new(3, (layer, tokens) => (10 * tokens) + layer, (_, _) => 1);
}
