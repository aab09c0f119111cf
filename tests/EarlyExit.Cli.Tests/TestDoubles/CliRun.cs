namespace EarlyExit.Cli.Tests.TestDoubles;

/// <summary>What one command line printed and returned.</summary>
internal sealed record CliRun(int Status, string Out, string Error)
{
    /// <summary>Runs the whole command line in-process, as the <c>earlyexit</c> binary would.</summary>
    public static CliRun Of(params string[] args) => WithInput("", args);

    /// <summary>Runs it with <paramref name="stdin"/> as standard input.</summary>
    public static CliRun WithInput(string stdin, params string[] args) => WithToken(stdin, CancellationToken.None, args);

    /// <summary>Runs it with a cancellation token (Ctrl-C).</summary>
    public static CliRun WithToken(string stdin, CancellationToken token, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int status = CliApp.Run(args, new StringReader(stdin), output, error, token);
        return new CliRun(status, output.ToString(), error.ToString());
    }

    /// <summary>The lines of stderr.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
