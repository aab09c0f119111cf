namespace EarlyExit.Core.IO;

/// <summary>
/// Writes a file so that readers see either the old content or the whole new content, never a
/// torn file: the data goes to a temporary file in the same folder, is flushed to disk, and is
/// then renamed over the destination (a rename within one file system is atomic).
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> atomically with <paramref name="write"/>.</summary>
    /// <param name="path">Destination file; its folder is created when missing.</param>
    /// <param name="write">Writes the whole content to the stream it is given.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is blank or has no folder.</exception>
    /// <exception cref="IOException">The file cannot be written; the temporary file is removed
    /// and the old content, if any, is left as it was.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath) ?? throw new ArgumentException($"path '{path}' has no folder", nameof(path));
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            write(stream);
            stream.Flush(flushToDisk: true);
        }
        catch
        {
            DeleteQuietly(temporary);
            throw;
        }
        // Outside the cleanup on purpose: a fault injected here leaves the temporary file, as a
        // kill between the flush and the rename would.
        BeforeReplace?.Invoke(fullPath);
        try
        {
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            DeleteQuietly(temporary);
            throw;
        }
        SyncFolder(folder);
    }

    /// <summary>
    /// Test seam: called with each destination's full path once its temporary file is on disk and
    /// before the rename. An exception it throws leaves the folder as a kill at that instant
    /// would (the temporary file stays), so a test can stop a command at every write. Scoped to
    /// the current asynchronous flow, so tests running in parallel do not see each other's.
    /// </summary>
    public static Action<string>? BeforeReplace
    {
        get => Hook.Value;
        set => Hook.Value = value;
    }

    private static readonly AsyncLocal<Action<string>?> Hook = new();

    /// <summary>
    /// Removes the temporary files (<c>.NAME.GUID.tmp</c>) that a write killed before its rename
    /// left in <paramref name="folder"/>; call it before a command writes into the folder.
    /// </summary>
    /// <param name="folder">The folder; nothing happens when it does not exist.</param>
    /// <returns>How many files were removed.</returns>
    public static int RemoveLeftovers(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder)) return 0;
        int removed = 0;
        foreach (string file in Directory.EnumerateFiles(folder, ".*.tmp"))
        {
            if (!IsTemporaryName(Path.GetFileName(file))) continue;
            DeleteQuietly(file);
            removed++;
        }
        return removed;
    }

    /// <summary>Whether <paramref name="name"/> is a temporary file's name: a dot, the destination's name, a dot, 32 hex digits, <c>.tmp</c>.</summary>
    internal static bool IsTemporaryName(string name)
    {
        const int GuidLength = 32;
        if (!name.StartsWith('.') || !name.EndsWith(".tmp", StringComparison.Ordinal)) return false;
        int guidStart = name.Length - ".tmp".Length - GuidLength;
        if (guidStart < 3 || name[guidStart - 1] != '.') return false;
        return !name.AsSpan(guidStart, GuidLength).ContainsAnyExcept("0123456789abcdef");
    }

    /// <summary>
    /// Makes a rename in <paramref name="folder"/> durable: on Linux and macOS a rename is only on
    /// disk once the folder itself is fsynced. Windows (NTFS journals its metadata) needs nothing.
    /// </summary>
    /// <param name="folder">The folder whose entries changed.</param>
    public static void SyncFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (OperatingSystem.IsWindows()) return;
        byte[] name = System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(folder) + "\0");
        int descriptor = NativeMethods.open(name, 0 /* O_RDONLY */);
        // Best effort: a file system that cannot open or sync a folder (some network mounts) keeps
        // the rename, only without the durability guarantee.
        if (descriptor < 0) return;
        _ = NativeMethods.fsync(descriptor);
        _ = NativeMethods.close(descriptor);
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the original error matters more than a leftover temporary file.
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark) to <paramref name="path"/> atomically.</summary>
    /// <inheritdoc cref="Write(string, Action{Stream})"/>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(text);
        });
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    /// <inheritdoc cref="Write(string, Action{Stream})"/>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/> atomically.</summary>
    /// <param name="source">The file to copy.</param>
    /// <param name="destination">The copy; its folder is created when missing.</param>
    /// <exception cref="FileNotFoundException"><paramref name="source"/> does not exist.</exception>
    public static void Copy(string source, string destination)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        Write(destination, stream =>
        {
            using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            input.CopyTo(stream, 1 << 20);
        });
    }
}

/// <summary>The POSIX calls .NET has no API for: opening a folder to fsync it.</summary>
internal static class NativeMethods
{
#pragma warning disable SYSLIB1054, CA5392 // a plain libc call with a byte-array path: no marshalling to generate
    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    internal static extern int open(byte[] path, int flags);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    internal static extern int fsync(int descriptor);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    internal static extern int close(int descriptor);
#pragma warning restore SYSLIB1054, CA5392
}
