namespace EarlyExit.Cli;

/// <summary>
/// The process exit status of an <c>earlyexit</c> command. (Not called "ExitCode": an exit,
/// in this project, is a model's early exit.)
/// </summary>
public enum CliExitStatus
{
    /// <summary>The command did what was asked.</summary>
    Success = 0,

    /// <summary>The user asked for something impossible (bad argument, missing file); one line on stderr says what.</summary>
    UserError = 1,

    /// <summary>A bug or an unexpected failure inside EarlyExit.</summary>
    InternalError = 2,

    /// <summary>Stopped by Ctrl-C (128 + SIGINT, the shell's convention); training leaves its resume state behind.</summary>
    Cancelled = 130,
}
