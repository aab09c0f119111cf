using System.CommandLine;
using System.CommandLine.Help;
using EarlyExit.Cli.Commands;
using EarlyExit.Cli.Terminal;

namespace EarlyExit.Cli;

/// <summary>
/// The <c>earlyexit</c> command line: composes the commands and runs one. <see cref="Run"/> takes
/// its writers and token as arguments, so tests run the whole command line without a process.
/// </summary>
public static class CliApp
{
    /// <summary>Builds the root command, whose actions write to <paramref name="context"/>.</summary>
    /// <param name="context">Writers and the cancellation token.</param>
    public static RootCommand CreateRootCommand(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var root = new RootCommand("earlyexit — train, calibrate, evaluate and run early-exit neural networks.")
        {
            DemoCommand.Create(context),
            TrainCommand.Create(context),
            CalibrateCommand.Create(context),
            EvaluateCommand.Create(context),
            PredictCommand.Create(context),
            ScoreCommand.Create(context),
            WorkerCommand.Create(context),
            ReportCommand.Create(context),
            ServeCommand.Create(context),
            ExportCommand.Create(context),
        };
        HelpOption help = root.Options.OfType<HelpOption>().Single();
        help.Action = new ExamplesHelpAction((HelpAction)help.Action!, new Dictionary<string, string>
        {
            ["demo"] = DemoCommand.Examples,
            ["train"] = TrainCommand.Examples,
            ["calibrate"] = CalibrateCommand.Examples,
            ["evaluate"] = EvaluateCommand.Examples,
            ["predict"] = PredictCommand.Examples,
            ["score"] = ScoreCommand.Examples,
            ["worker"] = WorkerCommand.Examples,
            ["report"] = ReportCommand.Examples,
            ["serve"] = ServeCommand.Examples,
            ["export"] = ExportCommand.Examples,
        });
        return root;
    }

    /// <summary>Parses <paramref name="args"/> and runs the command they name.</summary>
    /// <param name="args">The command line, without the program name.</param>
    /// <param name="stdin">Input (predict reads texts from it when none are given).</param>
    /// <param name="stdout">Data.</param>
    /// <param name="stderr">Logs and errors.</param>
    /// <param name="cancellationToken">Ctrl-C.</param>
    /// <returns>The process exit status (a <see cref="CliExitStatus"/> value).</returns>
    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        RootCommand root = CreateRootCommand(new CliContext(stdin, stdout, stderr, cancellationToken));
        ParseResult parse = root.Parse(args);
        // A parse error is a user error: one line, the first error, and where help is.
        if (parse.Errors.Count > 0 && parse.Action is not { ClearsParseErrors: true })
        {
            string command = ReferenceEquals(parse.CommandResult.Command, root) ? "" : parse.CommandResult.Command.Name + " ";
            // An unknown word explains the other errors (e.g. "required command was not provided"), so it goes first.
            string message = parse.UnmatchedTokens.Count > 0
                ? $"unknown command or argument '{parse.UnmatchedTokens[0]}'"
                : CliRunner.OneLine(parse.Errors[0].Message);
            stderr.WriteLine($"earlyexit: {message} (see: earlyexit {command}--help)");
            return (int)CliExitStatus.UserError;
        }
        return parse.Invoke(new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            // Program.cs turns Ctrl-C into the token; System.CommandLine must not kill the process
            // 2 s later, before training has written its resume state.
            ProcessTerminationTimeout = null,
        });
    }
}
