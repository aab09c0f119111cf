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
    }

    [Fact]
    public void AdvanceAnswersTheRowsThatLeaveAndCompactsTheOthers()
    {
        using var scope = NewDisposeScope();
        var model = Model();
        // Three rows of 5 tokens at layer 0; row r's hidden state is r, so the kept rows name themselves.
        var state = ExitBatchState.Start(arange(3, dtype: ScalarType.Float32).view(3, 1), null, null, [5, 5, 5]);
        Tensor logits = tensor(new float[] { 0, 1, 1, 0, 0, 1 }).view(3, 2);
        Row leaves = new(0, new StaticExitPolicy(1)), stays = new(1, new StaticExitPolicy(3)), abandoned = new(2, new StaticExitPolicy(3), abandoned: true);

        ExitStepOutcome<Row> outcome = ExitStep.Advance(model, 0, new LayerStep(state, logits), [leaves, stays, abandoned]);

        var (row, result) = Assert.Single(outcome.Exited);
        Assert.Same(leaves, row);
        Assert.Equal(0, result.ExitIndex);
        Assert.Equal(1, result.Prediction);
        Assert.Equal(50 + 1, result.Flops);           // layer 0 at 5 tokens and head 0
        Assert.Equal(154, result.FullModelFlops);
        Assert.Same(stays, Assert.Single(outcome.Continuing)); // the abandoned row neither exits nor goes on
        Assert.Equal(new float[] { 1 }, outcome.Next!.Hidden.data<float>().ToArray());
        Assert.Equal(0, stays.State.PreviousPrediction); // its state moved on with it
        Assert.True(logits.IsInvalid);                 // freed once read
    }

    [Fact]
    public void AdvanceWithEveryRowGoingOnKeepsTheStateAndWithNoneGivesNoState()
    {
        using var scope = NewDisposeScope();
        var model = Model();
        var state = ExitBatchState.Start(zeros(2, 1), null, null, [1, 2]);
        Row[] rows = [new(0, new StaticExitPolicy(3)), new(1, new StaticExitPolicy(3))];

        var all = ExitStep.Advance(model, 0, new LayerStep(state, zeros(2, 2)), rows);
        var none = ExitStep.Advance(model, 2, new LayerStep(state, zeros(2, 2)), rows); // the last exit

        Assert.Same(state, all.Next);
        Assert.Empty(all.Exited);
        Assert.Null(none.Next);
        Assert.Empty(none.Continuing);
        Assert.Equal([0, 1], none.Exited.Select(e => e.Row.Sample));
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

    private sealed class Row(int sample, ExitPolicy policy, bool abandoned = false) : IExitRow
    {
        private ExitState _state = ExitState.Start();

        public ExitPolicy Policy => policy;

        public int Sample => sample;

        public ref ExitState State => ref _state;

        public bool IsAbandoned => abandoned;
    }

    private static FlopsOnlyModel Model() => new(3, (layer, tokens) => (10 * tokens) + layer, (_, _) => 1);
}
