using EarlyExit.Data.Batching;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace EarlyExit.Data.Tests.Batching;

public sealed class TokenBudgetBatchesTests
{
    [Fact]
    public void Rows_are_sorted_by_length_and_cut_under_the_budget_by_hand()
    {
        // Lengths (input order) 5, 2, 9, 2, 4; budget 10 tokens. Ascending with ties in input order:
        // rows 1 (2), 3 (2), 4 (4), 0 (5), 2 (9). Row 1 alone: 1·2; + row 3: 2·2 = 4; + row 4: 3·4 = 12 > 10,
        // so rows 1, 3 | then 4: 1·4; + row 0: 2·5 = 10 ≤ 10 | row 2: 1·9.
        var batches = TokenBudgetBatches.Plan([5, 2, 9, 2, 4], maxBatchTokens: 10);
        Assert.Equal([[1, 3], [4, 0], [2]], batches.Select(b => b.ToArray()).ToArray());
        // A row limit of 1 gives one row per batch, shortest first.
        Assert.Equal([[1], [3], [4], [0], [2]], TokenBudgetBatches.Plan([5, 2, 9, 2, 4], 100, maxBatchRows: 1).Select(b => b.ToArray()).ToArray());
    }

    [Fact]
    public void A_row_longer_than_the_budget_runs_alone()
    {
        var batches = TokenBudgetBatches.Plan([3, 50, 3, 3], maxBatchTokens: 8);
        // 3, 3 fit (6); a third makes 9 > 8; the 50-token row exceeds the budget and shares with nobody.
        Assert.Equal([[0, 2], [3], [1]], batches.Select(b => b.ToArray()).ToArray());
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenBudgetBatches.Plan([1], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenBudgetBatches.Plan([1], 4, 0));
        Assert.Contains("lengths[1] is 0", Assert.Throws<ArgumentOutOfRangeException>(() => TokenBudgetBatches.Plan([1, 0], 4)).Message);
        Assert.Throws<InvalidOperationException>(() => TokenBudgetBatches.RunInOrder<int>([1, 1], 4, 4, _ => [1]));
    }

    [Property(MaxTest = 300)]
    public Property Results_come_back_in_input_order_and_every_batch_keeps_the_budget_unless_alone()
    {
        var cases = Gen.Choose(0, 60).SelectMany(n => Gen.ArrayOf(Gen.Choose(1, 130), n))
            .SelectMany(lengths => Gen.Choose(1, 600).SelectMany(budget => Gen.Choose(1, 40).Select(rows => (lengths, budget, rows))))
            .ToArbitrary();
        return Prop.ForAll(cases, c =>
        {
            var batches = TokenBudgetBatches.Plan(c.lengths, c.budget, c.rows);
            var seen = batches.SelectMany(b => b).Order().ToArray();
            bool everyRowOnce = seen.SequenceEqual(Enumerable.Range(0, c.lengths.Length));
            bool withinLimits = batches.All(b => b.Length <= c.rows
                && (b.Length == 1 || b.Length * b.Max(i => c.lengths[i]) <= c.budget));
            // Each result is the row's own: run returns (index, length) per row, and order is restored.
            var results = TokenBudgetBatches.RunInOrder(c.lengths, c.budget, c.rows, b => b.Select(i => (i, c.lengths[i])).ToArray());
            bool inOrder = results.Select((r, i) => r.i == i && r.Item2 == c.lengths[i]).All(x => x);
            return everyRowOnce && withinLimits && inOrder;
        });
    }
}
