using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace EarlyExit.Server.Tests.TestDoubles;

/// <summary>A logger provider that keeps "category: message" lines from Information up, for tests to read.</summary>
internal sealed class CapturedLogs(ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) lines.Enqueue($"{category}: {formatter(state, exception)}");
        }
    }
}
