namespace EarlyExit.Data.Datasets;

/// <summary>
/// A labelled dataset split into train, validation and test, with its class names.
/// Validation is for calibration and model selection; test is never used to choose anything.
/// </summary>
/// <typeparam name="TExample"><see cref="TextExample"/> or <see cref="ImageExample"/>.</typeparam>
public sealed record Dataset<TExample>
    where TExample : ILabelledExample
{
    /// <summary>Creates a dataset and checks every label against the class names.</summary>
    /// <param name="name">Short name, such as "spam-assassin" or the file name of a CSV.</param>
    /// <param name="classNames">Class names; label <c>k</c> means <c>classNames[k]</c>. At least two.</param>
    /// <param name="train">Training examples.</param>
    /// <param name="validation">Validation examples.</param>
    /// <param name="test">Test examples.</param>
    /// <param name="notes">What was done to the source data (duplicates removed, how it was split), for reports.</param>
    /// <exception cref="ArgumentException">Fewer than two classes, or a label outside them.</exception>
    public Dataset(
        string name,
        IReadOnlyList<string> classNames,
        IReadOnlyList<TExample> train,
        IReadOnlyList<TExample> validation,
        IReadOnlyList<TExample> test,
        IReadOnlyList<string>? notes = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Count < 2)
        {
            throw new ArgumentException($"classNames must name at least 2 classes; got {classNames.Count}", nameof(classNames));
        }

        CheckLabels(train, classNames.Count, nameof(train));
        CheckLabels(validation, classNames.Count, nameof(validation));
        CheckLabels(test, classNames.Count, nameof(test));
        Name = name;
        ClassNames = classNames;
        Train = train;
        Validation = validation;
        Test = test;
        Notes = notes ?? [];
    }

    /// <summary>Short name, such as "spam-assassin".</summary>
    public string Name { get; }

    /// <summary>Class names; label <c>k</c> means <c>ClassNames[k]</c>.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Training examples.</summary>
    public IReadOnlyList<TExample> Train { get; }

    /// <summary>Validation examples (calibration and model selection).</summary>
    public IReadOnlyList<TExample> Validation { get; }

    /// <summary>Test examples (reporting only).</summary>
    public IReadOnlyList<TExample> Test { get; }

    /// <summary>What was done to the source data, one fact per line (e.g. "removed 300 duplicate bodies").</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>What the user should know about the source data, one line each (e.g. rows with invalid UTF-8); empty when none.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The examples of one split.</summary>
    /// <param name="split">Which split.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="split"/> is not a defined value.</exception>
    public IReadOnlyList<TExample> this[DatasetSplit split] => split switch
    {
        DatasetSplit.Train => Train,
        DatasetSplit.Validation => Validation,
        DatasetSplit.Test => Test,
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, $"split must be Train, Validation or Test; got {split}"),
    };

    private static void CheckLabels(IReadOnlyList<TExample> examples, int classCount, string paramName)
    {
        ArgumentNullException.ThrowIfNull(examples, paramName);
        for (var i = 0; i < examples.Count; i++)
        {
            if (examples[i].Label >= classCount)
            {
                throw new ArgumentException(
                    $"{paramName}[{i}] has label {examples[i].Label}, but there are only {classCount} classes (labels 0 to {classCount - 1})",
                    paramName);
            }
        }
    }
}
