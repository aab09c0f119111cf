using EarlyExit.Server.Scheduling;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace EarlyExit.Server.Tests.Scheduling;

/// <summary>The depth-pooled step's token budget on hand-made pools (segments' rows and widths), and its properties.</summary>
public sealed class StepBudgetTests
{
    [Fact]
    public void SegmentsRunOldestFirstAsLongAsRowsAndPaddedTokensFit()
    {
        // Budget 100 tokens, 8 rows. Segment 0: 2 rows of 20 → 40 tokens. Segment 1: 3 rows of 30:
        // joined width 30, at most 100 / 30 = 3 rows in all, so 1 of its rows (3 · 30 = 90).
        // Segment 2 (2 rows of 10) would make 4 rows of 30 = 120 > 100: skipped.
        Assert.Equal([2, 1, 0], StepBudget.Take([2, 3, 2], [20, 30, 10], maxRows: 8, maxTokens: 100));
        // A wide segment that fits no row is skipped and a narrower one after it still runs:
        // 2 rows of 20 (40), then 60 wide → 100 / 60 = 1 row in all: none; then 3 rows of 10 at width 20 → 5 rows, 3 more.
        Assert.Equal([2, 0, 3], StepBudget.Take([2, 1, 3], [20, 60, 10], maxRows: 8, maxTokens: 100));
        // The row limit binds before the budget.
        Assert.Equal([3, 1], StepBudget.Take([3, 3], [5, 5], maxRows: 4, maxTokens: 1000));
    }

    [Fact]
    public void TheOldestSegmentAlwaysRunsAndARowWiderThanTheBudgetRunsAlone()
    {
        // 3 rows of 150 tokens under a budget of 100: one row, alone, although it is over the budget.
        Assert.Equal([1, 0], StepBudget.Take([3, 2], [150, 10], maxRows: 8, maxTokens: 100));
        // The oldest is split to what fits: 100 / 40 = 2 of its 5 rows.
        Assert.Equal([2], StepBudget.Take([5], [40], maxRows: 8, maxTokens: 100));
    }

    [Property(MaxTest = 300)]
    public Property EveryStepKeepsItsLimitsTakesPrefixesAndRunsTheOldest()
    {
        var cases = Gen.Choose(1, 12).SelectMany(n => Gen.ArrayOf(Gen.Choose(1, 40), n).SelectMany(rows =>
                Gen.ArrayOf(Gen.Choose(1, 300), n).Select(widths => (rows, widths))))
            .SelectMany(p => Gen.Choose(1, 64).SelectMany(maxRows => Gen.Choose(1, 5000).Select(maxTokens => (p.rows, p.widths, maxRows, maxTokens))))
            .ToArbitrary();
        return Prop.ForAll(cases, c =>
        {
            int[] take = StepBudget.Take(c.rows, c.widths, c.maxRows, c.maxTokens);
            int rows = take.Sum();
            int width = take.Select((k, i) => k > 0 ? c.widths[i] : 0).Max();
            bool prefixes = take.Select((k, i) => k >= 0 && k <= c.rows[i]).All(x => x);
            bool oldestRuns = take[0] >= 1;
            bool withinRows = rows <= c.maxRows;
            // Over the budget only as one row alone (the oldest segment's first).
            bool withinTokens = rows * width <= c.maxTokens || (rows == 1 && take[0] == 1);
            // Nothing left out could have run: a skipped or cut segment's next row would break a limit.
            bool full = take.Select((k, i) => k == c.rows[i]
                || rows + 1 > c.maxRows || (rows + 1) * Math.Max(width, c.widths[i]) > c.maxTokens).All(x => x)
                || !(rows * width <= c.maxTokens);
            return (prefixes && oldestRuns && withinRows && withinTokens).Label($"limits: take [{string.Join(", ", take)}]")
                .And(full.Label("greedy"));
        });
    }
}
