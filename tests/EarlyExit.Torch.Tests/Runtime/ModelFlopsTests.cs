using EarlyExit.Torch.Runtime;
using EarlyExit.Torch.Tests.TestDoubles;

namespace EarlyExit.Torch.Tests.Runtime;

public sealed class ModelFlopsTests
{
    // Synthetic costs: layer l costs 100·(l + 1) + tokens, exit head l costs l + 1.
    private static readonly FlopsOnlyModel Model = new(exitCount: 3, layer: (l, n) => (100 * (l + 1)) + n, exit: (l, _) => l + 1);

    [Theory]
    [InlineData(0, 10, 111)]          // layer 0 (100 + 10) + head 0 (1)
    [InlineData(1, 10, 111 + 212)]    // + layer 1 (200 + 10) + head 1 (2) = 323
    [InlineData(2, 10, 323 + 313)]    // + layer 2 (300 + 10) + head 2 (3) = 636
    public void UpToExitSumsEveryLayerAndHeadRunOnTheWay(int exit, int tokens, double expected) =>
        Assert.Equal(expected, ModelFlops.UpToExit(Model, exit, tokens));

    [Fact]
    public void FullModelRunsEveryLayerButOnlyTheFinalHead() =>
        // (100 + 10) + (200 + 10) + (300 + 10) + head 2 (3) = 633: less than leaving at the last exit (636), which also ran heads 0 and 1.
        Assert.Equal(633, ModelFlops.FullModel(Model, 10));

    [Fact]
    public void AnExitOutOfRangeIsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ModelFlops.UpToExit(Model, 3, 10));
        Assert.StartsWith("exitIndex must be between 0 and 2 (the model has 3 exits); got 3", e.Message, StringComparison.Ordinal);
    }
}
