using EarlyExit.Server;

// Standalone: dotnet run --project src/EarlyExit.Server -- --model DIR --urls http://127.0.0.1:8080
EarlyExitServer.Build(args: args).Run();

// Program stays internal (the tests host it through InternalsVisibleTo): an application that
// references the EarlyExit.Server package has a Program of its own, and a public one here would clash.
