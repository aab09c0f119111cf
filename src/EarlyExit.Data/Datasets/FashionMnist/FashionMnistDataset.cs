using System.Globalization;
using EarlyExit.Data.Fetching;

namespace EarlyExit.Data.Datasets.FashionMnist;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul and Vollgraf 2017): 28 × 28 grey-scale images of clothing in 10
/// classes, 60,000 for training and 10,000 for test, from Debian's <c>dataset-fashion-mnist</c>
/// (IDX files under <c>/usr/share/datasets/fashion-mnist/</c>, unpacked into the cache with
/// <c>dpkg -x</c>, not installed). Validation is drawn from the training set by <see cref="SplitOptions"/>.
/// </summary>
public static class FashionMnistDataset
{
    /// <summary>The dataset's name, in specs and in the cache.</summary>
    public const string Name = "fashion-mnist";

    /// <summary>The Debian package.</summary>
    public const string DebianPackageName = "dataset-fashion-mnist";

    /// <summary>Its exact version (pinned, so the digest below holds).</summary>
    public const string DebianPackageVersion = "0.0~git20200523.55506a9-1";

    /// <summary>SHA-256 of the .deb, as observed when this loader was written.</summary>
    public const string ArchiveSha256 = "39e172fe32dd318ebb3e512220c3beea2fa47d7e20bab348fb4e0922d6beefc0";

    /// <summary>Image height and width in pixels.</summary>
    public const int ImageSize = 28;

    private const string ArchiveName = "dataset-fashion-mnist_0.0~git20200523.55506a9-1_all.deb";
    private const string DataFolder = "usr/share/datasets/fashion-mnist";

    /// <summary>The 10 class names, in label order (0 = "T-shirt/top" … 9 = "Ankle boot").</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Loads the images, fetching, verifying and unpacking the package on first use.</summary>
    /// <param name="cache">Where the package is kept; <see langword="null"/> for <see cref="DatasetCache.FromEnvironment"/>.</param>
    /// <param name="split">How validation is drawn; <see langword="null"/> for the defaults of <see cref="SplitOptions"/>.</param>
    /// <param name="cancellationToken">Cancels fetching.</param>
    /// <exception cref="DatasetException">apt-get or dpkg is missing or fails, or the digest differs.</exception>
    public static Dataset<ImageExample> Load(DatasetCache? cache = null, SplitOptions? split = null, CancellationToken cancellationToken = default)
    {
        split ??= new SplitOptions();
        split.Validate();
        cache ??= DatasetCache.FromEnvironment();
        var deb = cache.GetVerifiedFile(
            Name, ArchiveName, ArchiveSha256, (folder, token) => DebianPackage.Download(DebianPackageName, DebianPackageVersion, folder, token), cancellationToken);
        var root = cache.GetDerivedFolder(Name, "dataset-fashion-mnist", (folder, token) => DebianPackage.Extract(deb, folder, token), cancellationToken);
        return FromFolder(Path.Combine(root, DataFolder), split);
    }

    /// <summary>Reads the four IDX files (gzip) of a Fashion-MNIST folder.</summary>
    internal static Dataset<ImageExample> FromFolder(string folder, SplitOptions split)
    {
        try
        {
            var train = ReadImages(folder, "train");
            var test = ReadImages(folder, "t10k");
            var parts = SeededSplitter.Split(train, test, split, key: null);
            string[] notes =
            [
                string.Create(CultureInfo.InvariantCulture, $"{train.Count:N0} training and {test.Count:N0} test images from {DebianPackageName} {DebianPackageVersion}"),
                string.Create(CultureInfo.InvariantCulture, $"validation: {split.ValidationFraction * 100:0.#}% of training, seed {split.Seed}, stratified by label"),
            ];
            return new Dataset<ImageExample>(Name, ClassNames, parts.Train, parts.Validation, parts.Test, notes);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new DatasetException($"the fashion-mnist data in {folder} could not be read: {e.Message}", e);
        }
    }

    private static List<ImageExample> ReadImages(string folder, string prefix)
    {
        var imagesPath = Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz");
        var labelsPath = Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz");
        var images = IdxReader.ReadGzip(imagesPath);
        var labels = IdxReader.ReadGzip(labelsPath);
        if (images.Dimensions is not [var count, ImageSize, ImageSize])
        {
            throw new InvalidDataException($"{imagesPath} has shape ({string.Join(", ", images.Dimensions)}), expected (n, {ImageSize}, {ImageSize})");
        }

        if (labels.Dimensions is not [var labelCount] || labelCount != count)
        {
            throw new InvalidDataException($"{labelsPath} has shape ({string.Join(", ", labels.Dimensions)}), expected ({count})");
        }

        const int pixels = ImageSize * ImageSize;
        var examples = new List<ImageExample>(count);
        for (var i = 0; i < count; i++)
        {
            var label = labels.Data[i];
            if (label >= ClassNames.Count)
            {
                throw new InvalidDataException($"{labelsPath} has label {label} at item {i}; labels are 0 to {ClassNames.Count - 1}");
            }

            examples.Add(new ImageExample(images.Data.AsMemory(i * pixels, pixels), ImageSize, ImageSize, label));
        }

        return examples;
    }
}
