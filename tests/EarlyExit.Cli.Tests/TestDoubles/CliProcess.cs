using System.Diagnostics;
using System.Text;

namespace EarlyExit.Cli.Tests.TestDoubles;

/// <summary>The earlyexit command in a process of its own (as a user starts a worker), its stderr kept for messages.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _error = new();

    public CliProcess(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "earlyexit.dll"));
        foreach (string a in args) start.ArgumentList.Add(a);
        _process = Process.Start(start)!;
        _process.ErrorDataReceived += (_, e) => { lock (_error) _error.AppendLine(e.Data); };
        _process.OutputDataReceived += (_, e) => { lock (_error) _error.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public string Error
    {
        get { lock (_error) return _error.ToString(); }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Waits until stderr holds <paramref name="text"/>.</summary>
    public void WaitFor(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!Error.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited) throw new InvalidOperationException($"the process exited ({_process.ExitCode}) before printing '{text}': {Error}");
            if (clock.Elapsed > timeout) throw new TimeoutException($"no '{text}' within {timeout.TotalSeconds} s: {Error}");
            Thread.Sleep(50);
        }
    }

    /// <summary>SIGKILL: no chance to tidy up.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, as docker stop and Kubernetes send, then waits for the exit.</summary>
    public void Terminate(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        if (!_process.WaitForExit(timeout)) throw new TimeoutException($"no exit within {timeout.TotalSeconds} s of SIGTERM: {Error}");
        _process.WaitForExit(); // the timed wait does not wait for the redirected output to be read

    }

    public static int FreePort() => EarlyExit.Tests.Shared.NatsServerProcess.FreePort();

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }
}
