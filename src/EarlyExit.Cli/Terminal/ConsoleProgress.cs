using System.Globalization;
using Spectre.Console;

namespace EarlyExit.Cli.Terminal;

/// <summary>
/// Progress bars on the log writer (stderr): Spectre.Console bars when it is an interactive
/// terminal, plain lines (every 10 % and at the end) when it is redirected to a file or a test's
/// writer, so logs stay readable.
/// </summary>
public static class ConsoleProgress
{
    /// <summary>Runs <paramref name="work"/> with a bar labelled <paramref name="description"/>.</summary>
    /// <typeparam name="T">What the work returns.</typeparam>
    /// <param name="log">The log writer (stderr).</param>
    /// <param name="description">What is being done, e.g. "training".</param>
    /// <param name="total">The bar's full value, &gt; 0.</param>
    /// <param name="work">The work; it reports through the bar it is given.</param>
    /// <param name="finished">Whether the work's result means it ran to the end (null: always). When it
    /// did not (a training run stopped by Ctrl-C), the bar ends at the last value reported, not at 100 %.</param>
    public static T Run<T>(TextWriter log, string description, double total, Func<IProgressBar, T> work, Func<T, bool>? finished = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(work);
        if (!IsInteractive(log))
        {
            var plain = new PlainBar(log, description, total);
            T result = work(plain);
            plain.Finish(finished?.Invoke(result) ?? true);
            return result;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(log) });
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(total, 1e-9));
                T result = work(new SpectreBar(task, description));
                if (finished?.Invoke(result) ?? true) task.Value = task.MaxValue;
                return result;
            });
    }

    /// <summary>Runs <paramref name="work"/> with a bar; for work that returns nothing.</summary>
    /// <inheritdoc cref="Run{T}"/>
    public static void Run(TextWriter log, string description, double total, Action<IProgressBar> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Run(log, description, total, bar => { work(bar); return 0; });
    }

    // Only the real stderr of a terminal gets live bars; anything else is a file or a test.
    private static bool IsInteractive(TextWriter log) =>
        ReferenceEquals(log, Console.Error) && !Console.IsErrorRedirected;

    private sealed class SpectreBar(ProgressTask task, string description) : IProgressBar
    {
        public void Report(double value, string? detail = null)
        {
            task.Value = Math.Min(value, task.MaxValue);
            if (detail is not null) task.Description = Markup.Escape($"{description} {detail}");
        }
    }

    private sealed class PlainBar(TextWriter log, string description, double total) : IProgressBar
    {
        private int _lastTenth = -1;
        private string? _detail;
        private double _value;

        public void Report(double value, string? detail = null)
        {
            _value = value;
            if (detail is not null) _detail = detail;
            int tenth = total > 0 ? (int)Math.Floor(10 * Math.Min(value, total) / total) : 10;
            if (tenth > _lastTenth && tenth < 10)
            {
                _lastTenth = tenth;
                Write();
            }
        }

        public void Finish(bool complete)
        {
            if (complete) _value = total;
            Write();
        }

        private void Write() => log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{description}: {(total > 0 ? 100 * _value / total : 100):F0}%{(_detail is null ? "" : "  " + _detail)}"));
    }
}
