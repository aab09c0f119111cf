using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EarlyExit.Tests.Shared;

/// <summary>
/// A real <c>nats-server</c> with JetStream for one test (this file is compiled into the NATS and CLI
/// test projects): on a free loopback port, its store in a temporary folder, stopped and deleted on
/// dispose. <see cref="Restart"/> stops it and starts it again on the same port and store, as a
/// server that crashes and comes back. CI installs nats-server (.ci/run); without it the test fails
/// saying so, rather than passing untested.
/// </summary>
internal sealed class NatsServerProcess : IDisposable
{
    private readonly string _store;
    private Process? _process;

    public NatsServerProcess()
    {
        Executable = Find() ?? throw new InvalidOperationException(
            "nats-server is not installed (on Debian: apt-get install nats-server; .ci/run installs it): the NATS integration tests need a real server");
        Port = FreePort();
        _store = Directory.CreateTempSubdirectory("earlyexit-nats-").FullName;
        Start();
    }

    public string Executable { get; }

    public int Port { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>Kills the server (SIGKILL: no clean shutdown) and starts it again on the same port and store.</summary>
    public void Restart(TimeSpan down)
    {
        Stop();
        Thread.Sleep(down);
        Start();
    }

    public void Dispose()
    {
        Stop();
        try { Directory.Delete(_store, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private void Start()
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "-js", "-sd", _store, "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture) }) start.ArgumentList.Add(a);
        _process = Process.Start(start) ?? throw new InvalidOperationException("nats-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"nats-server exited with {_process.ExitCode} on port {Port}");
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new InvalidOperationException($"nats-server did not listen on port {Port} within 20 s");
    }

    private void Stop()
    {
        if (_process is null) return;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(10_000);
            }
        }
        finally
        {
            _process.Dispose();
            _process = null;
        }
    }

    private static string? Find()
    {
        string[] dirs = [.. (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator), "/usr/sbin", "/usr/local/bin", "/usr/bin"];
        return dirs.Where(d => d.Length > 0).Select(d => Path.Combine(d, "nats-server")).FirstOrDefault(File.Exists);
    }

    /// <summary>A loopback port no one listens on now.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
