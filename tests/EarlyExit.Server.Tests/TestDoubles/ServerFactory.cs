using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EarlyExit.Server.Tests.TestDoubles;

/// <summary>The real <see cref="Program"/> in the ASP.NET test host, serving <see cref="TestModel"/> with the given options.</summary>
internal sealed class ServerFactory(ServerOptions? options = null) : WebApplicationFactory<Program>
{
    /// <summary>The options served: <paramref name="options"/> with the test model's directory (unless it names another).</summary>
    public ServerOptions Options { get; } = With(options ?? new ServerOptions());

    protected override void ConfigureWebHost(IWebHostBuilder builder) =>
        builder.ConfigureServices(services => services.AddSingleton(Microsoft.Extensions.Options.Options.Create(Options)));

    private static ServerOptions With(ServerOptions o) => new()
    {
        ModelDirectory = o.ModelDirectory ?? TestModel.Directory,
        Backend = o.Backend,
        Onnx = o.Onnx,
        Batching = o.Batching,
        MaxBatchSize = o.MaxBatchSize,
        MaxBatchTokens = o.MaxBatchTokens,
        MaxQueueDelay = o.MaxQueueDelay,
        QueueCapacity = o.QueueCapacity,
        MaxInputsPerRequest = o.MaxInputsPerRequest,
        MaxCharactersPerInput = o.MaxCharactersPerInput,
        MaxRequestBodyBytes = o.MaxRequestBodyBytes,
        RetryAfterSeconds = o.RetryAfterSeconds,
        RequestLogging = o.RequestLogging,
        FeedbackWindow = o.FeedbackWindow,
        FeedbackSample = o.FeedbackSample,
        FeedbackMinimum = o.FeedbackMinimum,
        AccuracyTarget = o.AccuracyTarget,
        FeedbackRefit = o.FeedbackRefit,
    };
}
