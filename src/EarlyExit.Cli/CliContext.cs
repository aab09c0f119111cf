namespace EarlyExit.Cli;

/// <summary>Where a command reads and writes and what stops it: the only things its action takes from the process.</summary>
/// <param name="In">Input (predict's texts when none are given as arguments): stdin.</param>
/// <param name="Out">Data (tables, JSON, predictions): stdout.</param>
/// <param name="Error">Logs, progress and errors: stderr.</param>
/// <param name="CancellationToken">Cancelled by Ctrl-C.</param>
public sealed record CliContext(TextReader In, TextWriter Out, TextWriter Error, CancellationToken CancellationToken);
