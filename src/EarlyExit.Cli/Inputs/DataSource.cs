using EarlyExit.Data.Datasets;

namespace EarlyExit.Cli.Inputs;

/// <summary>
/// Turns a <c>--data</c> value into a text or an image dataset, with every failure as a one-line
/// <see cref="CliException"/>: an unknown name (listing the valid forms), images for a text model
/// or text for a vision model, a missing file, a fetch that failed, a malformed row or image.
/// </summary>
/// <remarks>
/// The split is always the loaders' default (seed 42, <see cref="SplitOptions"/>), whatever
/// <c>--seed</c> says: train, calibrate, evaluate and report must all see the same validation and
/// test examples, or a test example could have tuned a threshold.
/// </remarks>
public static class DataSource
{
    /// <summary>Parses a spec as <see cref="DatasetSpec.Parse"/> does.</summary>
    /// <param name="spec">The <c>--data</c> value.</param>
    /// <exception cref="CliException">The spec is not valid; the message lists the valid forms.</exception>
    public static DatasetSpec Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        try
        {
            return DatasetSpec.Parse(spec);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"--data: {CliErrors.MessageOf(e)}", CliExitStatus.UserError, e);
        }
    }

    /// <summary>Loads (fetching on first use) the text dataset <paramref name="spec"/> names.</summary>
    /// <param name="spec">A parsed spec.</param>
    /// <param name="cancellationToken">Cancels a download.</param>
    /// <param name="log">Where the data's warnings go, one line each (rows with invalid UTF-8); null: nowhere.</param>
    /// <param name="strict"><c>--strict</c>: a warning is an error instead.</param>
    /// <exception cref="CliException">The spec names images, or the data cannot be fetched or read, or (strict) it has a warning; the message says why.</exception>
    public static Dataset<TextExample> Load(DatasetSpec spec, CancellationToken cancellationToken, TextWriter? log = null, bool strict = false)
    {
        CheckKind(spec, images: false);
        Dataset<TextExample> data = Loading(spec, () => DatasetCatalog.LoadText(spec, cancellationToken: cancellationToken));
        if (strict && data.Warnings.Count > 0) throw new CliException($"--data {spec} (--strict): {data.Warnings[0]}");
        foreach (string warning in data.Warnings) log?.WriteLine($"warning: {warning} (--strict refuses such data)");
        return data;
    }

    /// <summary>Loads (fetching on first use) the image dataset <paramref name="spec"/> names.</summary>
    /// <param name="spec">A parsed spec.</param>
    /// <param name="cancellationToken">Cancels a download.</param>
    /// <exception cref="CliException">The spec names text, or the images cannot be fetched or decoded; the message names the file.</exception>
    public static Dataset<ImageExample> LoadImages(DatasetSpec spec, CancellationToken cancellationToken)
    {
        CheckKind(spec, images: true);
        return Loading(spec, () => DatasetCatalog.LoadImages(spec, cancellationToken: cancellationToken));
    }

    /// <summary>Checks <paramref name="spec"/> names images when <paramref name="images"/> is true, text otherwise.</summary>
    /// <param name="spec">A parsed spec.</param>
    /// <param name="images">Whether the model reads images.</param>
    /// <exception cref="CliException">It names the other kind; the message lists the forms that fit.</exception>
    public static void CheckKind(DatasetSpec spec, bool images)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.IsImage && !images)
            throw new CliException($"--data {spec}: an image dataset; a text model (--model minilm) reads {string.Join(", ", DatasetSpec.TextForms)}");
        if (!spec.IsImage && images)
            throw new CliException($"--data {spec}: a text dataset; a vision model reads {string.Join(", ", DatasetSpec.ImageForms)}");
    }

    private static T Loading<T>(DatasetSpec spec, Func<T> load)
    {
        try
        {
            return load();
        }
        catch (DatasetException e)
        {
            throw new CliException($"--data {spec}: {e.Message}", CliExitStatus.UserError, e);
        }
        catch (IOException e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CliException($"--data {spec}: {e.Message}", CliExitStatus.UserError, e);
        }
    }

    /// <summary>
    /// A fingerprint of the data behind <paramref name="spec"/>: the spec itself, plus the size and
    /// modification time of a user's file (or of each file in a user's folder), so that a cached
    /// exit trace is recorded again when the file changes. The named datasets are checked by
    /// SHA-256 when fetched and never change.
    /// </summary>
    /// <param name="spec">A parsed spec.</param>
    public static string Fingerprint(DatasetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Path is null) return spec.ToString();
        // An image folder keeps its files in train/CLASS/…: every file below it counts.
        SearchOption depth = spec.Kind == DatasetKind.ImageFolder ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly;
        IEnumerable<string> files = Directory.Exists(spec.Path)
            ? Directory.EnumerateFiles(spec.Path, "*", depth).Order(StringComparer.Ordinal)
            : File.Exists(spec.Path) ? [spec.Path] : [];
        return spec + "|" + string.Join("|", files.Select(f =>
        {
            var info = new FileInfo(f);
            string name = depth == SearchOption.AllDirectories ? Path.GetRelativePath(spec.Path, f) : info.Name;
            return $"{name}:{info.Length}:{info.LastWriteTimeUtc.Ticks}";
        }));
    }
}
