using EarlyExit.Torch.Runtime;
using EarlyExit.Torch.Tests.TestDoubles;
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
    public void ADetachedStateOutlivesItsScopeUntilItsHolderFreesIt()
    {
        ExitBatchState detached, left;
        using (NewDisposeScope())
        {
            detached = ExitBatchState.Start(zeros(2, 3), ones(2, 3), zeros(2, 1, 1, 3), [3, 3]).DetachFromDisposeScope();
            left = detached.WithHidden(ones(2, 3)); // a layer's output, still in the scope
        }

        Assert.False(detached.Hidden.IsInvalid);
        Assert.False(detached.AttentionMask!.IsInvalid);
        Assert.False(detached.AttentionBias!.IsInvalid);
        Assert.True(left.Hidden.IsInvalid);
        detached.DisposeTensorsExcept(null);
        Assert.True(detached.Hidden.IsInvalid);
        Assert.True(detached.AttentionMask.IsInvalid);
        Assert.True(detached.AttentionBias.IsInvalid);
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

    [Fact]
    public void ConcatPadsEveryPartToTheLongestAndRenumbersTheRows()
    {
        using var scope = NewDisposeScope();
        // Synthetic parts: 1 row of 2 positions (hidden 1s) and 2 rows of 3 positions (hidden 2s), hidden size 1.
        var shortPart = ExitBatchState.Start(ones(1, 2, 1), ones(1, 2, dtype: ScalarType.Int64), zeros(1, 1, 1, 2), [2]);
        var longPart = ExitBatchState.Start(full(2, 3, 1, 2f), ones(2, 3, dtype: ScalarType.Int64), zeros(2, 1, 1, 3), [3, 1])
            .SelectRows([1, 0]);

        var joined = ExitBatchState.Concat([shortPart, longPart]);

        Assert.Equal(new[] { 0, 1, 2 }, joined.InputRows.ToArray());
        Assert.Equal(new[] { 2, 1, 3 }, joined.TokenCounts.ToArray()); // [2] then [3, 1] reordered to [1, 3]
        Assert.Equal(new long[] { 3, 3, 1 }, joined.Hidden.shape);
        // The short row gains one position: hidden 0, mask 0, bias float.MinValue.
        Assert.Equal(new float[] { 1, 1, 0, 2, 2, 2, 2, 2, 2 }, joined.Hidden.data<float>().ToArray());
        Assert.Equal(new long[] { 1, 1, 0, 1, 1, 1, 1, 1, 1 }, joined.AttentionMask!.data<long>().ToArray());
        Assert.Equal(new float[] { 0, 0, float.MinValue, 0, 0, 0, 0, 0, 0 }, joined.AttentionBias!.data<float>().ToArray());
    }

    [Fact]
    public void ConcatWithoutMasksJoinsRowsOfTheSameShape()
    {
        using var scope = NewDisposeScope();
        var a = ExitBatchState.Start(zeros(2, 4), null, null, [4, 4]);
        var b = ExitBatchState.Start(ones(1, 4), null, null, [4]);

        var joined = ExitBatchState.Concat([a, b]);

        Assert.Equal(new long[] { 3, 4 }, joined.Hidden.shape);
        Assert.Equal(4, joined.Hidden.sum().item<float>()); // only b's row holds ones: 1 · 4
        Assert.Null(joined.AttentionMask);
        Assert.Equal(new[] { 0, 1, 2 }, joined.InputRows.ToArray());
    }

    [Fact]
    public void ConcatRejectsPartsThatDoNotFitTogether()
    {
        using var scope = NewDisposeScope();
        var masked = ExitBatchState.Start(ones(1, 2, 1), ones(1, 2, dtype: ScalarType.Int64), null, [2]);
        var plain = ExitBatchState.Start(ones(1, 2, 1), null, null, [2]);
        var wider = ExitBatchState.Start(ones(1, 2, 3), ones(1, 2, dtype: ScalarType.Int64), null, [2]);

        Assert.Throws<ArgumentException>(() => ExitBatchState.Concat([]));
        var e = Assert.Throws<ArgumentException>(() => ExitBatchState.Concat([masked, plain]));
        Assert.StartsWith("parts[1] has no attention mask and no bias; parts[0] has a mask and no bias", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => ExitBatchState.Concat([masked, wider]));
        Assert.StartsWith("parts[1].Hidden has shape (1, 2, 3), which does not fit parts[0]'s (1, 2, 1)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RowsJoinedFromBatchesOfDifferentWidthsGetTheLogitsTheyGetAlone()
    {
        // Real sentences through MiniLM: each sentence alone (no padding) versus joined with others
        // after two layers (padded to the longest); exit 2's logits must agree to float rounding.
        EncoderExitModel model = MiniLmTestModel.Model;
        string[] sentences = [.. MiniLmTestModel.Sentences.Take(4)];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        float[] alone = [.. sentences.SelectMany(s => Logits(model, model.Begin(MiniLmTestModel.Tokenizer.Encode(s)), 0))];

        var a = Advance(model, model.Begin(MiniLmTestModel.Tokenizer.EncodeBatch(sentences[..2])), 0, 2);
        var b = Advance(model, model.Begin(MiniLmTestModel.Tokenizer.EncodeBatch(sentences[2..])), 0, 2);
        Assert.NotEqual(a.Hidden.shape[1], b.Hidden.shape[1]); // the parts really have different widths
        var joined = ExitBatchState.Concat([a, b]);
        float[] together = Logits(model, joined, 2);

        Assert.Equal(alone.Length, together.Length);
        for (int i = 0; i < alone.Length; i++) Assert.True(Math.Abs(alone[i] - together[i]) < 1e-4, $"logit {i}: alone {alone[i]}, joined {together[i]}");
    }

    [Fact]
    public void TrimPaddingCutsThePositionsNoRowNeeds()
    {
        using var scope = NewDisposeScope();
        // Synthetic: 2 rows padded to 4 positions with 2 and 3 real tokens; hidden size 1, position p holds p.
        Tensor hidden = arange(4, dtype: ScalarType.Float32).reshape(1, 4, 1).repeat(2, 1, 1);
        var mask = tensor(new long[] { 1, 1, 0, 0, 1, 1, 1, 0 }).reshape(2, 4);
        var bias = tensor(new float[] { 0, 0, float.MinValue, float.MinValue, 0, 0, 0, float.MinValue }).reshape(2, 1, 1, 4);
        var state = ExitBatchState.Start(hidden, mask, bias, [2, 3]);

        var trimmed = state.TrimPadding();

        // The longest row has 3 tokens: position 3 goes, from every tensor.
        Assert.Equal(new long[] { 2, 3, 1 }, trimmed.Hidden.shape);
        Assert.Equal(new float[] { 0, 1, 2, 0, 1, 2 }, trimmed.Hidden.data<float>().ToArray());
        Assert.Equal(new long[] { 1, 1, 0, 1, 1, 1 }, trimmed.AttentionMask!.data<long>().ToArray());
        Assert.Equal(new float[] { 0, 0, float.MinValue, 0, 0, 0 }, trimmed.AttentionBias!.data<float>().ToArray());
        Assert.True(trimmed.Hidden.is_contiguous() && trimmed.AttentionBias.is_contiguous());
        Assert.Equal(state.TokenCounts, trimmed.TokenCounts);
        Assert.Equal(state.InputRows, trimmed.InputRows);
        // Nothing to cut: the same state; no mask: the same state.
        Assert.Same(trimmed, trimmed.TrimPadding());
        var plain = ExitBatchState.Start(zeros(2, 4), null, null, [1, 1]);
        Assert.Same(plain, plain.TrimPadding());
    }

    [Fact]
    public void RowsLeftAfterTheWideOnesExitGetTheSameLogitsTrimmed()
    {
        // Real sentences through MiniLM: the shortest sentence joined with the longest after two
        // layers (padded to the longest), the long row dropped, the padding trimmed: exit 2's logits
        // of the short row equal those it gets alone, to float rounding, with fewer positions.
        EncoderExitModel model = MiniLmTestModel.Model;
        string[] sentences = [.. MiniLmTestModel.Sentences.OrderBy(s => s.Length)];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        float[] alone = Logits(model, model.Begin(MiniLmTestModel.Tokenizer.Encode(sentences[0])), 0);

        var joined = Advance(model, model.Begin(MiniLmTestModel.Tokenizer.EncodeBatch([sentences[0], sentences[^1]])), 0, 2);
        var shortRow = joined.SelectRows([0]).TrimPadding();

        Assert.True(shortRow.Hidden.shape[1] < joined.Hidden.shape[1], "the short row must lose padding");
        Assert.Equal(shortRow.TokenCounts[0], (int)shortRow.Hidden.shape[1]);
        float[] trimmed = Logits(model, shortRow, 2);
        for (int i = 0; i < alone.Length; i++) Assert.True(Math.Abs(alone[i] - trimmed[i]) < 1e-4, $"logit {i}: alone {alone[i]}, trimmed {trimmed[i]}");
    }

    // Runs layers [from, to) and returns the state.
    private static ExitBatchState Advance(EncoderExitModel model, ExitBatchState state, int from, int to)
    {
        for (int k = from; k < to; k++) state = model.RunLayer(k, state);
        return state;
    }

    // Exit 2's logits, computed from a state sitting before layer `from`.
    private static float[] Logits(EncoderExitModel model, ExitBatchState state, int from) =>
        model.RunExit(2, Advance(model, state, from, 3)).data<float>().ToArray();
}
