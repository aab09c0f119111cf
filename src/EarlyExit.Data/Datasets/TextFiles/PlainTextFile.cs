using EarlyExit.Core.Sampling;

namespace EarlyExit.Data.Datasets.TextFiles;

/// <summary>
/// Your texts without labels (<c>text:PATH</c>): a UTF-8 file, one text per line, blank lines
/// skipped. What label-free training reads (self-distillation, docs/algorithms.md §3.5): the
/// deployed model's own answers are the targets, so no one has to label anything.
/// </summary>
public static class PlainTextFile
{
    /// <summary>The spec's form name, <c>text</c>.</summary>
    public const string Name = "text";

    /// <summary>Reads the file and draws a seeded validation subset from it.</summary>
    /// <param name="path">The file.</param>
    /// <param name="split">The seed and validation fraction (its test fraction is not used: unlabelled texts cannot be tested on);
    /// <see langword="null"/> for the defaults.</param>
    /// <returns>The texts, split into train and validation, both in file order.</returns>
    /// <exception cref="DatasetFormatException">The file is missing, holds invalid UTF-8 (the first such line is named), or holds
    /// fewer than two texts (a validation split needs one and training another).</exception>
    public static UnlabelledTexts Load(string path, SplitOptions? split = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        split ??= new SplitOptions();
        split.Validate();
        if (!File.Exists(path)) throw new DatasetFormatException(path, null, null, "not found");
        List<long> invalid = Utf8Check.InvalidLines(path);
        if (invalid.Count > 0)
            throw new DatasetFormatException(path, invalid[0], null, $"is not valid UTF-8 ({invalid.Count} line(s) are not); save the file as UTF-8");
        string[] texts = [.. File.ReadLines(path).Where(line => !string.IsNullOrWhiteSpace(line))];
        if (texts.Length < 2)
            throw new DatasetFormatException(path, null, null, $"holds {texts.Length} text(s); at least 2 are needed (one line each), some to train on and some to validate on");
        // At least one of each; the draw is the solution's one seeded shuffle, so a seed gives one split.
        int validationCount = Math.Clamp((int)Math.Round(texts.Length * split.ValidationFraction), 1, texts.Length - 1);
        var validation = new bool[texts.Length];
        foreach (int i in SeededShuffle.Permutation(texts.Length, split.Seed).Take(validationCount)) validation[i] = true;
        return new UnlabelledTexts(
            [.. texts.Where((_, i) => !validation[i])],
            [.. texts.Where((_, i) => validation[i])]);
    }
}

/// <summary>Texts without labels, split for label-free training.</summary>
/// <param name="Train">The texts to train on.</param>
/// <param name="Validation">The texts that choose the best epoch (by agreement with the final exit).</param>
public sealed record UnlabelledTexts(IReadOnlyList<string> Train, IReadOnlyList<string> Validation);
