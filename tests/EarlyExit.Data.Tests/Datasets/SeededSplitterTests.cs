using EarlyExit.Data.Datasets;
using FsCheck;
using FsCheck.Fluent;

namespace EarlyExit.Data.Tests.Datasets;

public sealed class SeededSplitterTests
{
    // Synthetic examples: text "t{i}", label given.
    private static List<TextExample> Examples(params int[] labels) => [.. labels.Select((l, i) => new TextExample($"t{i}", null, l))];

    [Fact]
    public void HoldOut_IsStratified_WithRoundedCountsPerLabel()
    {
        // 10 of label 0 and 5 of label 1, fraction 0.2: round(0.2·10) = 2 and round(0.2·5) = 1 held out.
        var items = Examples([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);

        var parts = SeededSplitter.HoldOut(items, 0.2, seed: 7, key: null);

        Assert.Equal(2, parts.HeldOut.Count(e => e.Label == 0));
        Assert.Equal(1, parts.HeldOut.Count(e => e.Label == 1));
        Assert.Equal(12, parts.Kept.Count);
        Assert.Empty(parts.Kept.Intersect(parts.HeldOut));
    }

    [Fact]
    public void HoldOut_IsDeterministicAndDependsOnTheSeed()
    {
        var items = Examples([.. Enumerable.Range(0, 200).Select(i => i % 3 == 0 ? 1 : 0)]);

        var first = SeededSplitter.HoldOut(items, 0.3, 42, null).HeldOut.Select(e => e.Text);
        var again = SeededSplitter.HoldOut(items, 0.3, 42, null).HeldOut.Select(e => e.Text);
        var other = SeededSplitter.HoldOut(items, 0.3, 43, null).HeldOut.Select(e => e.Text);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void HoldOut_KeepsCopiesOfATextOnOneSide() =>
        Prop.ForAll(
            Gen.Choose(0, 5).ListOf().Select(l => l.ToArray()).ToArbitrary(),
            Gen.Choose(0, 1000).ToArbitrary(),
            (textIds, seed) =>
            {
                // Synthetic: several examples share each text "x{id}".
                var items = textIds.Select((id, i) => new TextExample($"x{id}", null, i % 2)).ToList();
                var parts = SeededSplitter.HoldOut(items, 0.5, (ulong)seed, TextKey.Of);
                var keptTexts = parts.Kept.Select(e => e.Text).ToHashSet();
                return parts.HeldOut.All(e => !keptTexts.Contains(e.Text)) && parts.Kept.Count + parts.HeldOut.Count == items.Count;
            }).QuickCheckThrowOnFailure();

    [Fact]
    public void Split_WithoutTest_DrawsTestThenValidationFromTheRest()
    {
        // 100 examples, half per label: test round(0.2·50) = 10 per label → 20; validation
        // round(0.1·40) = 4 per label → 8; train 72.
        var items = Examples([.. Enumerable.Range(0, 100).Select(i => i % 2)]);

        var parts = SeededSplitter.Split(items, null, new SplitOptions(), TextKey.Of);

        Assert.Equal((72, 8, 20), (parts.Train.Count, parts.Validation.Count, parts.Test.Count));
        Assert.Equal(100, parts.Train.Concat(parts.Validation).Concat(parts.Test).Select(e => e.Text).Distinct().Count());
    }

    [Fact]
    public void Split_WithTest_KeepsItAndDrawsOnlyValidation()
    {
        var pool = Examples([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        var test = Examples([0, 1]);

        var parts = SeededSplitter.Split(pool, test, new SplitOptions(), null);

        // round(0.1·10) = 1 validation example per label.
        Assert.Same(test, parts.Test);
        Assert.Equal(2, parts.Validation.Count);
        Assert.Equal(18, parts.Train.Count);
    }

    [Fact]
    public void SplitOptions_RejectFractionsOutsideZeroOne()
    {
        Assert.Contains("got 0", Assert.Throws<ArgumentOutOfRangeException>(() => new SplitOptions { ValidationFraction = 0 }.Validate()).Message);
        Assert.Contains("got 1", Assert.Throws<ArgumentOutOfRangeException>(() => new SplitOptions { TestFraction = 1 }.Validate()).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SplitOptions { TestFraction = double.NaN }.Validate());
    }
}
