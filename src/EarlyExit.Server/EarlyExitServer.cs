using System.Text.Json.Serialization;
using EarlyExit.Onnx.Runtime;
using EarlyExit.Server.Api;
using EarlyExit.Server.Scheduling;
using EarlyExit.Server.Serving;
using EarlyExit.Server.Telemetry;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace EarlyExit.Server;

/// <summary>
/// Builds the EarlyExit HTTP server: the entry point of <c>earlyexit serve</c> and of this
/// project's own <c>Program</c>.
/// </summary>
public static class EarlyExitServer
{
    /// <summary>Command-line switches besides the configuration keys: <c>--model DIR</c>, <c>--batching MODE</c>,
    /// <c>--backend torch|onnx</c> and <c>--onnx-threads N</c>.</summary>
    public static IReadOnlyDictionary<string, string> SwitchMappings { get; } = new Dictionary<string, string>
    {
        ["--model"] = $"{ServerOptions.SectionName}:{nameof(ServerOptions.ModelDirectory)}",
        ["--batching"] = $"{ServerOptions.SectionName}:{nameof(ServerOptions.Batching)}",
        ["--backend"] = $"{ServerOptions.SectionName}:{nameof(ServerOptions.Backend)}",
        ["--onnx-threads"] = $"{ServerOptions.SectionName}:{nameof(ServerOptions.Onnx)}:{nameof(OnnxBackendOptions.IntraOpThreads)}",
    };

    /// <summary>Builds the application, ready to <c>Run()</c>.</summary>
    /// <param name="options">The options; null binds them from configuration (section
    /// <see cref="ServerOptions.SectionName"/>, plus <see cref="SwitchMappings"/>).</param>
    /// <param name="args">Host arguments, e.g. <c>--urls http://127.0.0.1:8080</c>.</param>
    /// <returns>The application with every endpoint mapped (<see cref="EarlyExitEndpoints.MapEarlyExitApi"/>).
    /// The model loads when the application starts; a bad model directory fails <c>Start</c>/<c>Run</c>.</returns>
    public static WebApplication Build(ServerOptions? options = null, string[]? args = null)
    {
        args ??= [];
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddCommandLine(args, SwitchMappings.ToDictionary());
        builder.Services.AddEarlyExitClassifier(builder.Configuration, options);
        WebApplication app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapEarlyExitApi();
        return app;
    }

    /// <summary>
    /// Registers a model folder as an <see cref="EarlyExitClassifier"/> singleton (loaded when first
    /// resolved, disposed with the host) and what <see cref="EarlyExitEndpoints.MapEarlyExitApi"/> serves
    /// it with: the scheduler that batches concurrent requests, metrics, problem details, health
    /// checks and OpenAPI. Your own endpoints may take the classifier too and call <c>ClassifyAsync</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">Where options are bound from (section <see cref="ServerOptions.SectionName"/>,
    /// e.g. <c>"EarlyExit": { "ModelDirectory": "models/spam", "Backend": "onnx" }</c>) when <paramref name="options"/> is null.</param>
    /// <param name="options">Options given in code, or null.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddEarlyExitClassifier(this IServiceCollection services, IConfiguration configuration, ServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (options is not null)
            services.AddSingleton(Options.Create(options));
        else
            services.AddOptions<ServerOptions>().Bind(configuration.GetSection(ServerOptions.SectionName));

        services.AddSingleton(sp =>
        {
            ServerOptions o = sp.GetRequiredService<IOptions<ServerOptions>>().Value;
            o.Validate();
            return EarlyExitClassifier.Load(o.ModelDirectory!, o.ClassifierOptions);
        });
        services.AddSingleton<ServerMetrics>();
        services.AddSingleton(sp => InferenceScheduler.Create(sp.GetRequiredService<EarlyExitClassifier>(),
            sp.GetRequiredService<IOptions<ServerOptions>>().Value, sp.GetRequiredService<ServerMetrics>()));
        services.AddHostedService<SchedulerLifetime>();
        // Kestrel's own limit one byte above ours, so our check answers first, with JSON naming the limit.
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ServerOptions>>((kestrel, o) =>
            kestrel.Limits.MaxRequestBodySize = o.Value.MaxRequestBodyBytes + 1);
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddProblemDetails();
        services.AddOpenApi(openApi => openApi.AddSchemaTransformer(EarlyExitApi.DescribePolicies).AddDocumentTransformer(EarlyExitApi.OmitServers));
        services.AddHealthChecks().AddCheck<SchedulerHealthCheck>("scheduler");
        return services;
    }
}
