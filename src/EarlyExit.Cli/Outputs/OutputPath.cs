using EarlyExit.Core.Traces;
using EarlyExit.Data.Datasets;

namespace EarlyExit.Cli.Outputs;

/// <summary>
/// The one check, made before a command's expensive work, that what it will write can be written:
/// a folder option must not name a file and must lie in a folder it can write in, a file option
/// must not name a folder. Found any later, the same mistake costs a whole training run or a trace
/// recording and ends as an internal error.
/// </summary>
/// <remarks>
/// Writability is tested by creating and deleting a probe file, not by reading permission bits:
/// root ignores the bits, and read-only mounts and ACLs do not show in them.
/// </remarks>
public static class OutputPath
{
    /// <summary>Checks that <paramref name="path"/> is, or can be created as, a folder this process can write in.</summary>
    /// <param name="option">The option the path came from, e.g. <c>--out</c>, for the message.</param>
    /// <param name="path">The option's value.</param>
    /// <exception cref="CliException">The name is empty, names a file, lies under a file, or the folder is not writable.</exception>
    public static void RequireFolder(string option, string path)
    {
        string full = FullPath(option, path);
        if (File.Exists(full)) throw new CliException($"{option} {path}: is a file; it must name a folder");
        Probe(option, path, ExistingAncestor(option, path, full));
    }

    /// <summary>Checks that <paramref name="path"/> can be written as a file: not a folder, in a folder this process can write in.</summary>
    /// <inheritdoc cref="RequireFolder"/>
    /// <exception cref="CliException">The name is empty, names a folder, lies under a file, or its folder is not writable.</exception>
    public static void RequireFile(string option, string path)
    {
        string full = FullPath(option, path);
        if (Directory.Exists(full)) throw new CliException($"{option} {path}: is a folder; it must name a file");
        string parent = Path.GetDirectoryName(full) ?? full;
        Probe(option, path, ExistingAncestor(option, path, parent));
    }

    /// <summary>
    /// Checks a model folder that a command writes cached traces (and <c>calibrate</c> its calibration)
    /// into: no trace path of <paramref name="splits"/> may be a folder, and when one of them must be
    /// recorded, or <paramref name="alwaysWrites"/>, the folder must be writable. A read-only folder
    /// whose traces are all cached still evaluates.
    /// </summary>
    /// <param name="directory">The opened model folder.</param>
    /// <param name="alwaysWrites">Whether the command writes into the folder whatever the cache holds.</param>
    /// <param name="splits">The splits whose traces the command reads.</param>
    /// <exception cref="CliException">The model is a read-only Hugging Face folder (hf:PATH), a trace path is a folder, or the folder cannot be written when it must be.</exception>
    public static void RequireModelOutputs(ModelDirectory directory, bool alwaysWrites, params DatasetSplit[] splits)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(splits);
        if (directory.IsHuggingFace)
            throw new CliException($"--model {ModelDirectory.HuggingFacePrefix}{directory.Path}: a Hugging Face folder is read only here; calibrate, evaluate and report keep traces and calibration in a model folder of their own: "
                + $"make one with earlyexit train --model {ModelDirectory.HuggingFacePrefix}{directory.Path} --objective self-distill --data DATA --out DIR");
        bool records = alwaysWrites;
        foreach (DatasetSplit split in splits)
        {
            string trace = directory.TracePath(split);
            if (Directory.Exists(trace))
                throw new CliException($"--model {directory.Path}: {Path.GetFileName(trace)} is a folder; the {split.ToString().ToLowerInvariant()} trace ({ExitTraceFile.Extension}) is cached there as a file: remove it");
            records |= !File.Exists(trace);
        }
        if (records) RequireFolder("--model", directory.Path);
    }

    private static string FullPath(string option, string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new CliException($"{option}: the name is empty");
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new CliException($"{option} {path}: not a valid path: {e.Message}", CliExitStatus.UserError, e);
        }
    }

    /// <summary>The nearest folder that exists at or above <paramref name="full"/>; the command creates the rest.</summary>
    private static string ExistingAncestor(string option, string path, string full)
    {
        string current = full;
        while (!Directory.Exists(current))
        {
            if (File.Exists(current)) throw new CliException($"{option} {path}: {current} is a file, so nothing can be created under it");
            current = Path.GetDirectoryName(current) ?? throw new CliException($"{option} {path}: no part of the path exists");
        }
        return current;
    }

    private static void Probe(string option, string path, string folder)
    {
        string probe = Path.Combine(folder, $".earlyexit-write-test-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new CliException($"{option} {path}: cannot write in {folder} ({e.Message})", CliExitStatus.UserError, e);
        }
    }
}
