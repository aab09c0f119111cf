using EarlyExit.Data.Datasets;

namespace EarlyExit.Data.Fetching;

/// <summary>
/// Fetches a Debian package with <c>apt-get download</c> and unpacks it with <c>dpkg -x</c>: the
/// files land in a folder of ours, nothing is installed and no root is needed, except to refresh
/// empty package lists (<c>apt-get update</c>), which a fresh machine may have.
/// </summary>
internal static class DebianPackage
{
    private const string AptHint = "this needs a Debian-based system with apt-get";

    /// <summary>Downloads <c>PACKAGE=VERSION</c> into <paramref name="folder"/> and returns the .deb.</summary>
    /// <param name="package">Package name, e.g. r-cran-modeldata.</param>
    /// <param name="version">Exact version, e.g. 1.1.0-1 (pinned, so its digest is stable).</param>
    /// <param name="folder">An empty folder.</param>
    /// <param name="cancellationToken">Kills apt-get when cancelled.</param>
    /// <param name="aptGet">The apt-get program (tests substitute a script).</param>
    /// <param name="isRoot">Whether this process may run <c>apt-get update</c>; <see langword="null"/> asks the OS.</param>
    /// <exception cref="DatasetException">apt-get is missing, does not know the package even after
    /// <c>apt-get update</c>, or needs that update and this process is not root (the message says what to run).</exception>
    internal static string Download(
        string package, string version, string folder, CancellationToken cancellationToken, string aptGet = "apt-get", bool? isRoot = null)
    {
        string[] download = ["download", $"{package}={version}"];
        var result = ExternalTool.Run(aptGet, download, folder, AptHint, cancellationToken);
        if (result.ExitCode != 0)
        {
            // Most often the package lists are empty (a fresh machine) or older than the package.
            if (!(isRoot ?? Environment.IsPrivilegedProcess))
            {
                throw new DatasetException(
                    $"'{ExternalTool.Describe("apt-get", download)}' failed: {FirstError(result)}. The package lists are probably "
                    + "empty or out of date, and refreshing them needs root. Run:  sudo apt-get update  and try again.");
            }

            string[] update = ["update"];
            var updated = ExternalTool.Run(aptGet, update, folder, AptHint, cancellationToken);
            if (updated.ExitCode != 0)
            {
                throw new DatasetException($"'apt-get update' failed (exit code {updated.ExitCode}): {FirstError(updated)}");
            }

            result = ExternalTool.Run(aptGet, download, folder, AptHint, cancellationToken);
            if (result.ExitCode != 0)
            {
                throw new DatasetException(
                    $"'{ExternalTool.Describe("apt-get", download)}' failed even after 'apt-get update': {FirstError(result)}");
            }
        }

        var debs = Directory.GetFiles(folder, "*.deb");
        return debs.Length == 1
            ? debs[0]
            : throw new DatasetException($"'{ExternalTool.Describe("apt-get", download)}' wrote {debs.Length} .deb files, expected 1");
    }

    /// <summary>Unpacks the files of a .deb into <paramref name="folder"/> (<c>dpkg -x</c>).</summary>
    /// <exception cref="DatasetException">dpkg is missing or fails.</exception>
    internal static void Extract(string deb, string folder, CancellationToken cancellationToken, string dpkg = "dpkg")
    {
        string[] arguments = ["-x", deb, folder];
        var result = ExternalTool.Run(dpkg, arguments, folder, AptHint, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new DatasetException($"'{ExternalTool.Describe("dpkg", arguments)}' failed (exit code {result.ExitCode}): {FirstError(result)}");
        }
    }

    // apt-get prints "E: ..." lines on failure; the first is the reason.
    private static string FirstError(ToolResult result)
    {
        var lines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.FirstOrDefault(l => l.StartsWith("E:", StringComparison.Ordinal)) ?? lines.LastOrDefault() ?? $"exit code {result.ExitCode}";
    }
}
