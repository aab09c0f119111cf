using EarlyExit;
using EarlyExit.Server;

// Standalone: dotnet run --project src/EarlyExit.Server -- --model DIR --urls http://127.0.0.1:8080
try
{
    EarlyExitServer.Build(args: args).Run();
    return 0;
}
catch (Exception e) when (e is ArgumentException or ModelFolderException or InvalidDataException or IOException or InvalidOperationException)
{
    // A server that cannot start (bad option, model folder, port in use) is the operator's error:
    // one line on stderr, as earlyexit serve says it, not a stack trace.
    Console.Error.WriteLine($"EarlyExit.Server: cannot start: {string.Join(' ', e.Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))}");
    return 1;
}

// Program stays internal (the tests host it through InternalsVisibleTo): an application that
// references the EarlyExit.Server package has a Program of its own, and a public one here would clash.
