using System.Globalization;

namespace EarlyExit.Data.Datasets.TextFiles;

/// <summary>
/// Your own labelled texts from CSV, TSV or JSON Lines: a <c>text</c> column, an optional
/// <c>text_pair</c> column and a <c>label</c> column (names overridable with <see cref="TextColumns"/>).
/// </summary>
/// <remarks>
/// <para><b>One file</b>: test and validation are drawn from it by <see cref="SplitOptions"/>.
/// <b>A folder</b>: it must hold <c>train.EXT</c> and may hold <c>validation.EXT</c> and
/// <c>test.EXT</c> (EXT = csv, tsv or jsonl); a missing one is drawn from train (our choice).</para>
/// <para>Class names are the distinct labels of the training data, sorted numerically when all
/// are integers ("2" before "10") and ordinally otherwise; label <c>k</c> is the k-th. A label in
/// validation or test that never occurs in train is an error, as are a missing column, an empty
/// text or label and malformed quoting; each error names the file, the line and the field.</para>
/// </remarks>
public static class TextFileDataset
{
    /// <summary>Loads a dataset from a file or a folder of files.</summary>
    /// <param name="format">The file format.</param>
    /// <param name="path">A file, or a folder holding train.EXT and optionally validation.EXT and test.EXT.</param>
    /// <param name="columns">Column names; <see langword="null"/> for text / text_pair / label.</param>
    /// <param name="split">How missing splits are drawn; <see langword="null"/> for the defaults of <see cref="SplitOptions"/>.</param>
    /// <exception cref="DatasetException">The path does not exist, or a folder has no train file.</exception>
    /// <exception cref="DatasetFormatException">A file is malformed (see remarks).</exception>
    public static Dataset<TextExample> Load(TextFileFormat format, string path, TextColumns? columns = null, SplitOptions? split = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        columns ??= new TextColumns();
        columns.Validate();
        split ??= new SplitOptions();
        split.Validate();

        var extension = Extension(format);
        var warnings = new List<string>();
        if (File.Exists(path))
        {
            var rows = ReadRows(format, path, columns, warnings);
            var classes = ClassNamesOf(rows);
            var examples = ToExamples(rows, classes, path, path, columns);
            var parts = SeededSplitter.Split(examples, null, split, TextKey.Of);
            return new Dataset<TextExample>(Path.GetFileNameWithoutExtension(path), classes, parts.Train, parts.Validation, parts.Test,
            [
                string.Create(CultureInfo.InvariantCulture, $"{examples.Count:N0} examples from {path}"),
                string.Create(CultureInfo.InvariantCulture, $"test {split.TestFraction * 100:0.#}%, validation {split.ValidationFraction * 100:0.#}% of the rest, seed {split.Seed}, stratified by label"),
            ]) { Warnings = warnings };
        }

        if (!Directory.Exists(path))
        {
            throw new DatasetException($"{path} does not exist (expected a {extension} file, or a folder with train{extension})");
        }

        var trainPath = Path.Combine(path, "train" + extension);
        if (!File.Exists(trainPath))
        {
            throw new DatasetException($"{path} has no train{extension} (a folder needs train{extension}; validation{extension} and test{extension} are optional)");
        }

        var trainRows = ReadRows(format, trainPath, columns, warnings);
        var classNames = ClassNamesOf(trainRows);
        var train = ToExamples(trainRows, classNames, trainPath, trainPath, columns);
        var validation = ReadOptional(format, Path.Combine(path, "validation" + extension), classNames, trainPath, columns, warnings);
        var test = ReadOptional(format, Path.Combine(path, "test" + extension), classNames, trainPath, columns, warnings);

        var notes = new List<string> { string.Create(CultureInfo.InvariantCulture, $"{train.Count:N0} training examples from {trainPath}") };
        ThreeWaySplit<TextExample> split3;
        if (validation is null)
        {
            split3 = SeededSplitter.Split(train, test, split, TextKey.Of);
            notes.Add(test is null
                ? string.Create(CultureInfo.InvariantCulture, $"test {split.TestFraction * 100:0.#}% and validation {split.ValidationFraction * 100:0.#}% of the rest drawn from train, seed {split.Seed}")
                : string.Create(CultureInfo.InvariantCulture, $"validation {split.ValidationFraction * 100:0.#}% drawn from train, seed {split.Seed}"));
        }
        else if (test is null)
        {
            var testParts = SeededSplitter.HoldOutTest(train, split, TextKey.Of);
            split3 = new ThreeWaySplit<TextExample>(testParts.Kept, validation, testParts.HeldOut);
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"test {split.TestFraction * 100:0.#}% drawn from train, seed {split.Seed}"));
        }
        else
        {
            split3 = new ThreeWaySplit<TextExample>(train, validation, test);
        }

        return new Dataset<TextExample>(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path))), classNames,
            split3.Train, split3.Validation, split3.Test, notes) { Warnings = warnings };
    }

    /// <summary>The file extension of a format, with its dot.</summary>
    public static string Extension(TextFileFormat format) => format switch
    {
        TextFileFormat.Csv => ".csv",
        TextFileFormat.Tsv => ".tsv",
        TextFileFormat.JsonLines => ".jsonl",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, $"format must be Csv, Tsv or JsonLines; got {format}"),
    };

    private static List<TextExample>? ReadOptional(TextFileFormat format, string path, IReadOnlyList<string> classNames, string trainPath, TextColumns columns, List<string> warnings) =>
        File.Exists(path) ? ToExamples(ReadRows(format, path, columns, warnings), classNames, path, trainPath, columns) : null;

    private static List<TextRow> ReadRows(TextFileFormat format, string path, TextColumns columns, List<string> warnings)
    {
        var rows = format == TextFileFormat.JsonLines ? JsonLinesTextReader.Read(path, columns) : DelimitedTextReader.Read(path, format, columns);
        if (rows.Count == 0) throw new DatasetFormatException(path, null, null, "holds no examples");
        var (affected, first) = Utf8Check.RowsAffected(rows, Utf8Check.InvalidLines(path));
        if (affected > 0)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"{path}: {affected:N0} of {rows.Count:N0} rows hold bytes that are not valid UTF-8 (the first at line {first}); each was read as U+FFFD"));
        }

        return rows;
    }

    // Integers sort as numbers ("2" < "10"), anything else ordinally.
    private static string[] ClassNamesOf(List<TextRow> rows)
    {
        var labels = rows.Select(r => r.Label).Distinct(StringComparer.Ordinal).ToArray();
        if (labels.All(l => long.TryParse(l, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
        {
            return [.. labels.OrderBy(l => long.Parse(l, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture))];
        }

        return [.. labels.Order(StringComparer.Ordinal)];
    }

    private static List<TextExample> ToExamples(List<TextRow> rows, IReadOnlyList<string> classNames, string path, string trainPath, TextColumns columns)
    {
        if (path == trainPath && classNames.Count < 2)
        {
            throw new DatasetFormatException(path, null, columns.Label, $"needs at least 2 distinct labels; found only '{string.Join("', '", classNames)}'");
        }

        var index = classNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        var examples = new List<TextExample>(rows.Count);
        foreach (var row in rows)
        {
            if (!index.TryGetValue(row.Label, out var label))
            {
                throw new DatasetFormatException(
                    path, row.Line, columns.Label,
                    $"label '{row.Label}' never occurs in {Path.GetFileName(trainPath)} (its labels: {string.Join(", ", classNames)})");
            }

            examples.Add(new TextExample(row.Text, row.TextPair, label));
        }

        return examples;
    }
}
