namespace EarlyExit.Core.IO;

/// <summary>
/// Replaces a folder of several files as one unit, so a reader (or the next run after a kill)
/// finds either the whole old generation or the whole new one, never a mix: the new generation
/// is written into <c>.NAME.new</c> beside it, the old folder is renamed to <c>.NAME.old</c>, the
/// new one to <c>NAME</c>, and the old one is deleted. <see cref="Recover"/> undoes what a kill
/// left half done.
/// </summary>
public static class AtomicDirectory
{
    /// <summary>Writes a new generation of <paramref name="directory"/> with <paramref name="write"/> and switches to it.</summary>
    /// <param name="directory">The folder; its parent is created when missing.</param>
    /// <param name="write">Writes every file of the unit into the folder it is given (empty, fresh).</param>
    public static void Replace(string directory, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        (string full, string fresh, string old) = Names(directory);
        Recover(full);
        if (Directory.Exists(fresh)) Directory.Delete(fresh, recursive: true);
        Directory.CreateDirectory(fresh);
        try
        {
            write(fresh);
        }
        catch
        {
            // A fault injected by the test seam leaves .NAME.new as a kill would; Recover removes it.
            if (AtomicFile.BeforeReplace is null) Directory.Delete(fresh, recursive: true);
            throw;
        }
        string parent = Path.GetDirectoryName(full)!;
        AtomicFile.BeforeReplace?.Invoke(full);
        if (Directory.Exists(full))
        {
            Directory.Move(full, old);
            AtomicFile.SyncFolder(parent);
            // The window between the two renames: only .NAME.old and .NAME.new exist.
            AtomicFile.BeforeReplace?.Invoke(old);
        }
        Directory.Move(fresh, full);
        AtomicFile.SyncFolder(parent);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
    }

    /// <summary>
    /// Finishes or undoes a <see cref="Replace"/> that a kill interrupted: a lone <c>.NAME.old</c>
    /// (killed between the renames) becomes <c>NAME</c> again, the last whole generation; a
    /// <c>.NAME.new</c> (killed while writing) and a <c>.NAME.old</c> beside <c>NAME</c> (killed
    /// before the deletion) are removed. Call it before reading the folder.
    /// </summary>
    /// <param name="directory">The folder.</param>
    public static void Recover(string directory)
    {
        (string full, string fresh, string old) = Names(directory);
        if (Directory.Exists(old))
        {
            if (Directory.Exists(full)) Directory.Delete(old, recursive: true);
            else
            {
                Directory.Move(old, full);
                AtomicFile.SyncFolder(Path.GetDirectoryName(full)!);
            }
        }
        if (Directory.Exists(fresh)) Directory.Delete(fresh, recursive: true);
    }

    private static (string Full, string Fresh, string Old) Names(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        string parent = Path.GetDirectoryName(full) ?? throw new ArgumentException($"folder '{directory}' has no parent", nameof(directory));
        string name = Path.GetFileName(full);
        return (full, Path.Combine(parent, $".{name}.new"), Path.Combine(parent, $".{name}.old"));
    }
}
