using EarlyExit.Torch.Training;

namespace EarlyExit.Torch.Tests.Training;

public sealed class TrainingExampleTests
{
    [Fact]
    public void FromPaddedRowKeepsTheMaskedTokens()
    {
        // A right-padded row of width 6 holding 4 tokens: [CLS] 7 8 [SEP] [PAD] [PAD].
        var e = TrainingExample.FromPaddedRow([101, 7, 8, 102, 0, 0], [0, 0, 1, 1, 0, 0], [1, 1, 1, 1, 0, 0], label: 1);

        Assert.Equal([101L, 7, 8, 102], e.InputIds);
        Assert.Equal([0L, 0, 1, 1], e.TokenTypeIds!);
        Assert.Equal(1, e.Label);
        Assert.Equal(4, e.Length);
    }

    [Fact]
    public void FromPaddedRowRejectsAMaskWithHoles()
    {
        var ex = Assert.Throws<ArgumentException>(() => TrainingExample.FromPaddedRow([1, 2, 3], [0, 0, 0], [1, 0, 1], 0));
        Assert.Contains("attentionMask must be ones then zeros (right padding); got 1 at position 2", ex.Message);
    }

    [Fact]
    public void RejectsMismatchedSegmentIds()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TrainingExample([1, 2, 3], [0, 0], 0));
        Assert.Contains("tokenTypeIds must have the length of inputIds (3); got 2", ex.Message);
    }
}
