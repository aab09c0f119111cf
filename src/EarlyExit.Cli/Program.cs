using EarlyExit.Cli;

// Main only wires Ctrl-C to a cancellation token and runs the command line.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl-C asks the command to stop cleanly; a second one kills the process.
    if (cancellation.IsCancellationRequested) return;
    e.Cancel = true;
    Console.Error.WriteLine("stopping (Ctrl-C again to kill)…");
    cancellation.Cancel();
};
return CliApp.Run(args, Console.In, Console.Out, Console.Error, cancellation.Token);
