using EarlyExit.Torch.Runtime;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Runtime;

/// <summary>Synthetic tensors whose values name their row, so a compaction shows which rows it kept.</summary>
public sealed class ExitBatchStateTests
{
    [Fact]
    public void SelectRowsCompactsEveryTensorAndTheHostBookkeepingInTheGivenOrder()
    {
        using var scope = NewDisposeScope();
        // Row r of every tensor holds r + 1 (hidden: 10·(r + 1)), so the kept values name the rows.
        Tensor hidden = arange(1, 4, dtype: ScalarType.Float32).view(3, 1, 1).expand(3, 2, 2) * 10; // (3, 2, 2)
        Tensor mask = arange(1, 4, dtype: ScalarType.Int64).view(3, 1).expand(3, 2);              // (3, 2)
        Tensor bias = arange(1, 4, dtype: ScalarType.Float32).view(3, 1, 1, 1);                   // (3, 1, 1, 1)
        var state = ExitBatchState.Start(hidden, mask, bias, [5, 6, 7]);

        var kept = state.SelectRows([2, 0]);
        var last = kept.SelectRows([1]);

        Assert.Equal(new[] { 0, 1, 2 }, state.InputRows.ToArray());
        Assert.Equal(new[] { 2, 0 }, kept.InputRows.ToArray());          // state rows 2 and 0 are inputs 2 and 0
        Assert.Equal(new[] { 7, 5 }, kept.TokenCounts.ToArray());
        Assert.Equal(new float[] { 30, 30, 30, 30, 10, 10, 10, 10 }, kept.Hidden.data<float>().ToArray());
        Assert.Equal(new long[] { 3, 3, 1, 1 }, kept.AttentionMask!.data<long>().ToArray());
        Assert.Equal(new float[] { 3, 1 }, kept.AttentionBias!.data<float>().ToArray());
        Assert.Equal(new[] { 0 }, last.InputRows.ToArray());              // row 1 of [2, 0] is input 0
        Assert.Equal(new[] { 5 }, last.TokenCounts.ToArray());
        Assert.Equal(new long[] { 1, 2, 2 }, last.Hidden.shape);
    }

    [Fact]
    public void WithHiddenKeepsTheRowsAndTheirTensors()
    {
        using var scope = NewDisposeScope();
        var state = ExitBatchState.Start(zeros(2, 3), null, null, [4, 9]);

        var next = state.WithHidden(ones(2, 5));

        Assert.Equal(new[] { 0, 1 }, next.InputRows.ToArray());
        Assert.Equal(new[] { 4, 9 }, next.TokenCounts.ToArray());
        Assert.Null(next.AttentionMask);
        Assert.Equal(new long[] { 2, 5 }, next.Hidden.shape);
    }

    [Fact]
    public void ShapesThatDisagreeWithTheRowCountAreRejected()
    {
        using var scope = NewDisposeScope();

        var e = Assert.Throws<ArgumentException>(() => ExitBatchState.Start(zeros(2, 3), zeros(3, 4), null, [1, 1]));
        Assert.Equal("attentionMask must have 2 rows on dimension 0; got shape (3, 4)", e.Message.Split(" (Parameter")[0]);

        var state = ExitBatchState.Start(zeros(2, 3), null, null, [1, 1]);
        Assert.Throws<ArgumentException>(() => state.WithHidden(zeros(1, 3)));
        Assert.Throws<ArgumentException>(() => ExitBatchState.Start(zeros(0, 3), null, null, []));
        Assert.Throws<ArgumentException>(() => ExitBatchState.Start(zeros(1, 3), null, null, [-1]));
    }

    [Fact]
    public void SelectRowsRejectsAnEmptySelectionAndRowsOutOfRange()
    {
        using var scope = NewDisposeScope();
        var state = ExitBatchState.Start(zeros(2, 3), null, null, [1, 1]);

        Assert.Throws<ArgumentException>(() => state.SelectRows([]));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => state.SelectRows([0, 2]));
        Assert.StartsWith("rows[1] must be between 0 and 1 (the state has 2 rows); got 2", e.Message, StringComparison.Ordinal);
    }
}
