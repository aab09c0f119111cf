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
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: the original error matters more than a leftover temporary file.
            }
            throw;
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
