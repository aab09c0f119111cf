using EarlyExit.Data.Datasets;

namespace EarlyExit.Cli.Inputs;

/// <summary>
/// Turns a <c>--data</c> value into a text dataset, with every failure as a one-line
/// <see cref="CliException"/>: an unknown name (listing the valid forms), an image dataset, a
/// missing file, a fetch that failed, a malformed row.
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
            var parsed = DatasetSpec.Parse(spec);
            if (parsed.IsImage)
                throw new CliException($"--data {spec}: an image dataset; the earlyexit command trains MiniLM on text (valid: {string.Join(", ", DatasetSpec.ValidForms.Where(f => f != "fashion-mnist"))})");
            return parsed;
        }
        catch (ArgumentException e)
        {
            throw new CliException($"--data: {CliErrors.MessageOf(e)}", CliExitStatus.UserError, e);
        }
    }

    /// <summary>Loads (fetching on first use) the text dataset <paramref name="spec"/> names.</summary>
    /// <param name="spec">A parsed spec.</param>
    /// <param name="cancellationToken">Cancels a download.</param>
    /// <exception cref="CliException">The data cannot be fetched or read; the message says why.</exception>
    public static Dataset<TextExample> Load(DatasetSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        try
        {
            return DatasetCatalog.LoadText(spec, cancellationToken: cancellationToken);
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
        IEnumerable<string> files = Directory.Exists(spec.Path)
            ? Directory.EnumerateFiles(spec.Path).Order(StringComparer.Ordinal)
            : File.Exists(spec.Path) ? [spec.Path] : [];
        return spec + "|" + string.Join("|", files.Select(f =>
        {
            var info = new FileInfo(f);
            return $"{info.Name}:{info.Length}:{info.LastWriteTimeUtc.Ticks}";
        }));
    }
}
