using EarlyExit.Core.IO;
using EarlyExit.Data.Datasets;

namespace EarlyExit.Data.Fetching;

/// <summary>
/// The folder where datasets are kept after their first download: <c>$EARLYEXIT_CACHE</c> when set,
/// else <c>~/.cache/earlyexit</c>. Every archive in it was checked against a SHA-256 digest
/// recorded in the code before it was moved in, and is checked again each time it is used, since
/// a file can be damaged after it was cached.
/// </summary>
public sealed class DatasetCache
{
    /// <summary>The environment variable that overrides the default folder.</summary>
    public const string EnvironmentVariable = "EARLYEXIT_CACHE";

    // How long to wait for another process that is fetching the same dataset.
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Uses <paramref name="root"/> (created when needed).</summary>
    /// <param name="root">Cache folder.</param>
    /// <exception cref="ArgumentException"><paramref name="root"/> is empty.</exception>
    public DatasetCache(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The cache folder.</summary>
    public string Root { get; }

    /// <summary>The cache of this user: <c>$EARLYEXIT_CACHE</c> when set and not empty, else <c>~/.cache/earlyexit</c>.</summary>
    public static DatasetCache FromEnvironment() =>
        new(RootFor(Environment.GetEnvironmentVariable(EnvironmentVariable), Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)));

    /// <summary>The cache folder for a value of <see cref="EnvironmentVariable"/> (or none) and a home folder.</summary>
    internal static string RootFor(string? variable, string home) =>
        string.IsNullOrWhiteSpace(variable) ? Path.Combine(home, ".cache", "earlyexit") : variable;

    /// <summary>The folder of one dataset inside the cache (created).</summary>
    /// <param name="dataset">Dataset name, such as "spam-assassin".</param>
    public string FolderOf(string dataset)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataset);
        var folder = Path.Combine(Root, dataset);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>
    /// The path of <paramref name="fileName"/> in the dataset's folder, fetched by <paramref name="fetch"/>
    /// on first use, and verified against <paramref name="sha256"/> on every use: a cached file that
    /// no longer matches is fetched again and replaced. Holds a lock file meanwhile, so two
    /// processes (or two tests) do not download the same archive at once.
    /// </summary>
    /// <param name="dataset">Dataset name (the folder).</param>
    /// <param name="fileName">Name of the archive in that folder.</param>
    /// <param name="sha256">Expected SHA-256 of the archive, lower-case hex.</param>
    /// <param name="fetch">Downloads into the empty folder it is given and returns the downloaded file's path.</param>
    /// <param name="cancellationToken">Cancels waiting and fetching.</param>
    /// <exception cref="DatasetException">The download fails, or its digest differs; or the cached file's
    /// digest differs and fetching it again fails (the message names the file).</exception>
    internal string GetVerifiedFile(
        string dataset, string fileName, string sha256, Func<string, CancellationToken, string> fetch, CancellationToken cancellationToken)
    {
        var folder = FolderOf(dataset);
        var target = Path.Combine(folder, fileName);
        // Checked on every use, not only when fetched: a file truncated or overwritten in the cache
        // would otherwise reach the archive reader and fail there as an EndOfStreamException.
        if (IsIntact(target, sha256))
        {
            return target;
        }

        using var fileLock = Lock(folder, cancellationToken);
        string? damaged = null;
        if (File.Exists(target))
        {
            // Another process may have fetched it again while we waited for the lock.
            var cached = FileHash.Sha256(target);
            if (string.Equals(cached, sha256, StringComparison.OrdinalIgnoreCase))
            {
                return target;
            }

            damaged = $"the cached {target} has SHA-256 {cached}, expected {sha256} (truncated or overwritten)";
        }

        var staging = Directory.CreateDirectory(Path.Combine(folder, $".fetch-{Guid.NewGuid():N}")).FullName;
        try
        {
            string downloaded;
            try
            {
                downloaded = fetch(staging, cancellationToken);
            }
            catch (DatasetException e) when (damaged is not null)
            {
                throw new DatasetException($"{damaged}, and fetching it again failed: {e.Message}; delete the file and retry when the fetch can succeed", e);
            }
            var actual = FileHash.Sha256(downloaded);
            if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new DatasetException(
                    $"{fileName} for {dataset} has SHA-256 {actual}, expected {sha256}: the registry served a different file; "
                    + "nothing was cached (delete nothing, retry later, or report it if it persists)");
            }

            File.Move(downloaded, target, overwrite: true);
            return target;
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>
    /// A folder of files derived from a verified archive (say, a .deb unpacked with dpkg -x),
    /// made once by <paramref name="build"/> in a staging folder and then moved into place whole,
    /// so a half-written folder is never seen.
    /// </summary>
    internal string GetDerivedFolder(string dataset, string folderName, Action<string, CancellationToken> build, CancellationToken cancellationToken)
    {
        var folder = FolderOf(dataset);
        var target = Path.Combine(folder, folderName);
        if (Directory.Exists(target))
        {
            return target;
        }

        using var fileLock = Lock(folder, cancellationToken);
        if (Directory.Exists(target))
        {
            return target;
        }

        var staging = Path.Combine(folder, $".build-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            build(staging, cancellationToken);
            Directory.Move(staging, target);
            return target;
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private static bool IsIntact(string path, string sha256) =>
        File.Exists(path) && string.Equals(FileHash.Sha256(path), sha256, StringComparison.OrdinalIgnoreCase);

    // An exclusive lock file; another holder (process or thread) makes us wait and retry.
    private static FileStream Lock(string folder, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, ".lock");
        var deadline = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(200));
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }
}
