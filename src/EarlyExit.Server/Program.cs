using EarlyExit.Server;

// Standalone: dotnet run --project src/EarlyExit.Server -- --model DIR --urls http://127.0.0.1:8080
EarlyExitServer.Build(args: args).Run();

/// <summary>The server's entry point; public and partial so tests can host it with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
