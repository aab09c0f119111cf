using System.Collections.Concurrent;
using EarlyExit.Server.Tests.TestDoubles;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace EarlyExit.Server.Tests;

/// <summary>The server's logs: all on stderr, and per request one line when asked for, none by default.</summary>
public sealed class ServerLoggingTests
{
    [Fact]
    public async Task EveryLogLineGoesToStderr()
    {
        await using WebApplication app = EarlyExitServer.Build(new ServerOptions { ModelDirectory = TestModel.Directory });

        Assert.Equal(LogLevel.Trace, app.Services.GetRequiredService<IOptions<ConsoleLoggerOptions>>().Value.LogToStandardErrorThreshold);
    }

    [Theory]
    [InlineData(false, new string[0])]
    [InlineData(true, new[] { "EarlyExit.Server.Requests: GET /healthz 200" })]
    public async Task ARequestLogsOneLineWhenAskedForAndNoneByDefault(bool requestLogging, string[] expected)
    {
        var lines = new ConcurrentQueue<string>();
        await using var factory = new ServerFactory(new ServerOptions { RequestLogging = requestLogging });
        using var logged = factory.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(new CapturedLogs(lines))));
        HttpClient client = logged.CreateClient();
        await client.GetStringAsync("/healthz"); // started and warm: only the request's own lines follow
        lines.Clear();

        await client.GetStringAsync("/healthz");

        Assert.Equal(expected, lines.Select(l => l.Contains(" ms", StringComparison.Ordinal) ? l[..l.LastIndexOf(' ', l.Length - 4)] : l));
    }
}
