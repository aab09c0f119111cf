using EarlyExit.Core.Sampling;

namespace EarlyExit.Data.Datasets;

/// <summary>
/// Deterministic, stratified hold-out splits. Examples with the same key (the same text) form
/// one group, and a group goes wholly to one side, so a text held out never also sits in train.
/// </summary>
internal static class SeededSplitter
{
    // Different purposes draw from different streams of the same seed, so the validation split
    // does not depend on whether a test split was drawn first.
    private const ulong TestStream = 0x7E57, ValidationStream = 0x7A11D;

    /// <summary>
    /// Train / validation / test: the given test split when there is one, otherwise
    /// <see cref="SplitOptions.TestFraction"/> of <paramref name="pool"/>; then
    /// <see cref="SplitOptions.ValidationFraction"/> of the rest for validation.
    /// </summary>
    internal static ThreeWaySplit<T> Split<T>(
        IReadOnlyList<T> pool, IReadOnlyList<T>? test, SplitOptions options, Func<T, string>? key)
        where T : ILabelledExample
    {
        if (test is null)
        {
            var testParts = HoldOutTest(pool, options, key);
            pool = testParts.Kept;
            test = testParts.HeldOut;
        }

        var validationParts = HoldOut(pool, options.ValidationFraction, options.Seed ^ ValidationStream, key);
        return new ThreeWaySplit<T>(validationParts.Kept, validationParts.HeldOut, test);
    }

    /// <summary>Holds out <see cref="SplitOptions.TestFraction"/> of <paramref name="pool"/> as test.</summary>
    internal static SplitParts<T> HoldOutTest<T>(IReadOnlyList<T> pool, SplitOptions options, Func<T, string>? key)
        where T : ILabelledExample =>
        HoldOut(pool, options.TestFraction, options.Seed ^ TestStream, key);

    /// <summary>
    /// Holds out round(<paramref name="fraction"/> × groups) of the groups of each label, chosen by a
    /// seeded shuffle. A group's label is that of its first example.
    /// </summary>
    internal static SplitParts<T> HoldOut<T>(IReadOnlyList<T> items, double fraction, ulong seed, Func<T, string>? key)
        where T : ILabelledExample
    {
        // Group ids in order of first appearance; without a key every item is its own group.
        var groupOf = new int[items.Count];
        var groupLabels = new List<int>();
        var ids = key is null ? null : new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            if (ids is null)
            {
                groupOf[i] = groupLabels.Count;
                groupLabels.Add(items[i].Label);
            }
            else if (ids.TryGetValue(key!(items[i]), out var existing))
            {
                groupOf[i] = existing;
            }
            else
            {
                groupOf[i] = ids[key!(items[i])] = groupLabels.Count;
                groupLabels.Add(items[i].Label);
            }
        }

        var heldOutGroup = new bool[groupLabels.Count];
        // One stream for all labels, drawn on label by label in label order.
        var shuffle = new SeededShuffle(seed);
        foreach (var byLabel in Enumerable.Range(0, groupLabels.Count).GroupBy(g => groupLabels[g]).OrderBy(g => g.Key))
        {
            var groups = byLabel.ToArray();

            // A seeded shuffle, then the first round(f·n) groups are held out.
            shuffle.Shuffle(groups.AsSpan());

            var count = (int)Math.Round(fraction * groups.Length, MidpointRounding.AwayFromZero);
            for (var i = 0; i < count; i++)
            {
                heldOutGroup[groups[i]] = true;
            }
        }

        var kept = new List<T>(items.Count);
        var heldOut = new List<T>();
        for (var i = 0; i < items.Count; i++)
        {
            (heldOutGroup[groupOf[i]] ? heldOut : kept).Add(items[i]);
        }

        return new SplitParts<T>(kept, heldOut);
    }
}
