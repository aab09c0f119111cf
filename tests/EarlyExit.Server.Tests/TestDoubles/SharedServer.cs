namespace EarlyExit.Server.Tests.TestDoubles;

/// <summary>
/// One server for the endpoint tests (the model loads once), with small limits so every limit
/// can be crossed cheaply: 4 inputs per request, 200 characters per input, 2 KiB per body.
/// </summary>
public sealed class SharedServer : IDisposable
{
    internal ServerFactory Factory { get; } = new(new ServerOptions
    {
        MaxInputsPerRequest = 4,
        MaxCharactersPerInput = 200,
        MaxRequestBodyBytes = 2048,
        MaxBatchSize = 16,
        MaxQueueDelay = TimeSpan.FromMilliseconds(2),
    });

    public HttpClient CreateClient() => Factory.CreateClient();

    public void Dispose() => Factory.Dispose();
}

/// <summary>Test classes that share <see cref="SharedServer"/>.</summary>
[CollectionDefinition(Name)]
public sealed class SharedServerCollection : ICollectionFixture<SharedServer>
{
    public const string Name = "shared server";
}
