using System.ComponentModel;
using System.Diagnostics;
using EarlyExit.Data.Datasets;

namespace EarlyExit.Data.Fetching;

/// <summary>Runs the registries' ordinary clients (npm, apt-get, dpkg) as processes.</summary>
internal static class ExternalTool
{
    /// <summary>Runs <paramref name="program"/> and waits for it; a missing program is a <see cref="DatasetException"/>.</summary>
    /// <param name="program">Program name, looked up on PATH.</param>
    /// <param name="arguments">Arguments, passed without a shell.</param>
    /// <param name="workingDirectory">Folder to run in.</param>
    /// <param name="installHint">What to tell the user when the program is missing.</param>
    /// <param name="cancellationToken">Kills the process when cancelled.</param>
    internal static ToolResult Run(
        string program, IEnumerable<string> arguments, string workingDirectory, string installHint, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Tools must not stop to ask anything (apt-get, npm's update notice).
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        start.Environment["NPM_CONFIG_UPDATE_NOTIFIER"] = "false";
        start.Environment["NPM_CONFIG_FUND"] = "false";

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new DatasetException($"could not start {program}");
        }
        catch (Win32Exception e)
        {
            throw new DatasetException($"{program} is not installed or not on PATH; {installHint}", e);
        }

        using (process)
        {
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                process.WaitForExitAsync(cancellationToken).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return new ToolResult(process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
        }
    }

    /// <summary>The command line as a user would type it, for messages.</summary>
    internal static string Describe(string program, IEnumerable<string> arguments) =>
        string.Join(' ', new[] { program }.Concat(arguments.Select(a => a.Contains(' ') ? $"'{a}'" : a)));
}
