namespace EarlyExit.Cli;

/// <summary>
/// An expected failure of a command: a bad argument, a missing or corrupt file. Caught once, at
/// the top (<see cref="CliRunner"/>), and printed as its message alone on one line of stderr,
/// without a stack trace; the process then exits with <see cref="Status"/>.
/// </summary>
public sealed class CliException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">One line that says what is wrong and, where there is one, the fix.</param>
    /// <param name="status">The exit status; <see cref="CliExitStatus.UserError"/> by default.</param>
    /// <param name="innerException">The cause, kept for debugging, or null.</param>
    public CliException(string message, CliExitStatus status = CliExitStatus.UserError, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
    }

    /// <summary>The exit status the process ends with.</summary>
    public CliExitStatus Status { get; }
}
