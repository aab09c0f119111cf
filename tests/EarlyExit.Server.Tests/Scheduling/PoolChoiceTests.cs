using EarlyExit.Server.Scheduling;

namespace EarlyExit.Server.Tests.Scheduling;

/// <summary>
/// The depth-pooled scheduler's pool choice on hand-made pools: batch size 4, starvation after 12
/// steps (2·M for M = 6), a 10 ms queue delay; step 20, so a segment that entered at step 8 or
/// earlier is starving.
/// </summary>
public sealed class PoolChoiceTests
{
    private const long Step = 20;

    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(10);

    private readonly PoolChoice _choice = new(batchSize: 4, starvationSteps: 12, maxQueueDelay: Delay);

    [Fact]
    public void AStarvingPoolRunsBeforeAFullBatch()
    {
        // Layer 2 is full, but layer 1's segment entered at step 8: 12 steps ago.
        Assert.Equal(1, Choose([new(1, 19), new(1, 8), new(4, 19)]));
    }

    [Fact]
    public void TheLongestStarvingPoolRunsFirstAndTheShallowerOnTies()
    {
        Assert.Equal(2, Choose([new(2, 5), new(0, 0), new(1, 3)]));  // 15 and 17 steps: the older, layer 2
        Assert.Equal(0, Choose([new(2, 3), new(1, 3)]));              // both 17 steps: the first found
        Assert.Equal(-1, ChooseFirstAlone(new(2, 9), waited: TimeSpan.FromMilliseconds(3))); // 11 steps: not yet starving
    }

    [Fact]
    public void AnEmptyPoolNeverStarves()
    {
        // Layer 0's step is stale (0), but it holds no rows: rule 4 takes the fullest pool.
        Assert.Equal(2, Choose([new(0, 0), new(1, 19), new(3, 19)]));
    }

    [Fact]
    public void TheDeepestFullBatchRunsBeforeTheFullest()
    {
        // Layers 0 and 1 hold full batches (6 and 4 rows); layer 2's 3 rows are not a batch.
        Assert.Equal(1, Choose([new(6, 19), new(4, 19), new(3, 19)]));
    }

    [Fact]
    public void APoolFullInTokensIsAFullBatchWithFewerRows()
    {
        // Budget 100 tokens: layer 1's 2 rows of width 60 (120 tokens) are a full step, layer 2's 3 rows of 20 are not.
        var choice = new PoolChoice(batchSize: 4, starvationSteps: 12, maxQueueDelay: Delay, maxBatchTokens: 100);
        PoolLoad[] pools = [new(3, 19, 60), new(2, 19, 120), new(3, 19, 60)];

        Assert.Equal(1, choice.Choose(pools, Step, TimeSpan.Zero, mayWaitForCompany: true, out _));
        // Without the budget (rows only) no pool is full, so rule 4 takes the fullest, the deepest on ties.
        Assert.Equal(2, Choose(pools));
        // A lone first pool full in tokens does not wait for company.
        Assert.Equal(0, choice.Choose([new(1, 19, 130), new(0, 0)], Step, TimeSpan.Zero, mayWaitForCompany: true, out _));
    }

    [Fact]
    public void AFullFirstBatchRunsWithoutWaiting()
    {
        Assert.Equal(0, ChooseFirstAlone(new(4, 19), waited: TimeSpan.Zero));
    }

    [Fact]
    public void APartialFirstBatchAloneWaitsForCompanyForWhatIsLeftOfTheDelay()
    {
        int layer = _choice.Choose([new(2, 19), new(0, 0)], Step, TimeSpan.FromMilliseconds(3), mayWaitForCompany: true, out TimeSpan wait);

        Assert.Equal(-1, layer);
        Assert.Equal(TimeSpan.FromMilliseconds(7), wait);
    }

    [Fact]
    public void APartialFirstBatchRunsOnceTheDelayIsOverOrNoCompanyCanCome()
    {
        Assert.Equal(0, ChooseFirstAlone(new(2, 19), waited: Delay));
        Assert.Equal(0, _choice.Choose([new(2, 19), new(0, 0)], Step, TimeSpan.Zero, mayWaitForCompany: false, out TimeSpan wait));
        Assert.Equal(TimeSpan.Zero, wait);
    }

    [Fact]
    public void NothingWaitsWhileDeeperRowsCanRun()
    {
        // Layer 0's 3 rows are the fullest pool; layer 1's one row forbids waiting.
        Assert.Equal(0, _choice.Choose([new(3, 19), new(1, 19)], Step, TimeSpan.Zero, mayWaitForCompany: true, out _));
    }

    [Fact]
    public void OtherwiseTheFullestPoolRunsAndTheDeepestOnTies()
    {
        Assert.Equal(1, Choose([new(2, 19), new(3, 19), new(1, 19)]));
        Assert.Equal(2, Choose([new(2, 19), new(3, 19), new(3, 19), new(1, 19)]));
    }

    // Rule 3 off (something is queued), so only rules 1, 2 and 4 speak.
    private int Choose(PoolLoad[] pools) => _choice.Choose(pools, Step, TimeSpan.Zero, mayWaitForCompany: false, out _);

    private int ChooseFirstAlone(PoolLoad first, TimeSpan waited) =>
        _choice.Choose([first, new(0, 0)], Step, waited, mayWaitForCompany: true, out _);
}
