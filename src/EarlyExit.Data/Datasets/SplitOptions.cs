namespace EarlyExit.Data.Datasets;

/// <summary>
/// How a dataset without a split of its own is divided. Splits are stratified by label and
/// seeded, so the same options always give the same split; identical texts always land on the
/// same side, so no validation or test text also sits in train.
/// </summary>
public sealed record SplitOptions
{
    /// <summary>Seed of the shuffle. Default 42 (any fixed number would do; this one is conventional).</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>
    /// Share of the examples that are not test that is held out for validation, in (0, 1). Default 0.1:
    /// enough to calibrate thresholds on a few hundred examples for the datasets here.
    /// </summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>
    /// Share of all examples held out for test when a dataset has no test split, in (0, 1).
    /// Default 0.2 (spam-assassin: about 1,150 test mails).
    /// </summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Throws when a fraction is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A fraction is not strictly between 0 and 1.</exception>
    public void Validate()
    {
        if (!(ValidationFraction > 0 && ValidationFraction < 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(ValidationFraction), ValidationFraction, $"ValidationFraction must be between 0 and 1 (exclusive); got {ValidationFraction}");
        }

        if (!(TestFraction > 0 && TestFraction < 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(TestFraction), TestFraction, $"TestFraction must be between 0 and 1 (exclusive); got {TestFraction}");
        }
    }
}
