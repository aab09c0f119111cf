using EarlyExit.Core.Signals;

namespace EarlyExit.Cli;

/// <summary>
/// The one place where a command's failures become exit statuses: a <see cref="CliException"/>
/// is printed as its message on one line of stderr (a <see cref="ModelFolderException"/> too, after
/// <c>--model FOLDER:</c>), a cancellation says so, and anything else is
/// an internal error (one line; the stack trace only with <c>EARLYEXIT_DEBUG=1</c>).
/// </summary>
public static class CliRunner
{
    /// <summary>The environment variable that adds stack traces to internal errors.</summary>
    public const string DebugVariable = "EARLYEXIT_DEBUG";

    /// <summary>Runs <paramref name="handler"/> and maps what it throws to a status.</summary>
    /// <param name="stderr">Where the one-line error goes.</param>
    /// <param name="handler">The command's work.</param>
    /// <param name="cancellationToken">The command's token: an <see cref="OperationCanceledException"/>
    /// while it is cancelled means Ctrl-C, not a bug.</param>
    /// <returns>The handler's status, or the status of what it threw.</returns>
    public static CliExitStatus Run(TextWriter stderr, Func<CliExitStatus> handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(handler);
        try
        {
            return handler();
        }
        catch (CliException e)
        {
            stderr.WriteLine($"earlyexit: {OneLine(e.Message)}");
            return e.Status;
        }
        catch (ModelFolderException e)
        {
            // The library names the folder and the problem; the CLI names the option the folder came from.
            stderr.WriteLine($"earlyexit: --model {e.Folder}: {OneLine(e.Problem)}");
            return CliExitStatus.UserError;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stderr.WriteLine("earlyexit: cancelled");
            return CliExitStatus.Cancelled;
        }
        catch (InvalidLogitsException e)
        {
            // The model produced NaN or infinite logits: not the user's doing, but worth a clear line.
            stderr.WriteLine($"earlyexit: internal error: {OneLine(e.Message)}");
            return CliExitStatus.InternalError;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"earlyexit: internal error: {e.GetType().Name}: {OneLine(e.Message)}"
                + (Environment.GetEnvironmentVariable(DebugVariable) == "1" ? "" : $" (set {DebugVariable}=1 for the stack trace)"));
            if (Environment.GetEnvironmentVariable(DebugVariable) == "1") stderr.WriteLine(e);
            return CliExitStatus.InternalError;
        }
    }

    /// <summary>The message with line breaks folded, so an error is always one line.</summary>
    internal static string OneLine(string message) => Core.IO.Messages.OneLine(message);
}
