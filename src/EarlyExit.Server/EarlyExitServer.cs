using System.Text.Json.Serialization;
using EarlyExit.Onnx.Runtime;
using EarlyExit.Server.Api;
using EarlyExit.Server.Scheduling;
using EarlyExit.Server.Serving;
using EarlyExit.Server.Telemetry;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Console;
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
        ConfigureLogging(builder.Logging);
        WebApplication app = builder.Build();
        if (app.Services.GetRequiredService<IOptions<ServerOptions>>().Value.RequestLogging)
            app.Use(LogRequest);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapEarlyExitApi();
        return app;
    }

    // Every line to stderr (stdout stays for what a command prints), one line per entry. ASP.NET's
    // own per-request entries (about a dozen lines a request at Information) go only above Warning;
    // ServerOptions.RequestLogging writes one line a request instead. The host's "failed to start"
    // entry carries the exception's stack trace: whoever started the host says the error in one line.
    private static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.AddSimpleConsole(console => console.SingleLine = true);
        logging.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        foreach (string category in (string[])["Microsoft.AspNetCore.Hosting.Diagnostics", "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Http.Result"])
            logging.AddFilter(category, LogLevel.Warning);
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
    }

    /// <summary>The logger category of <see cref="ServerOptions.RequestLogging"/>'s lines.</summary>
    public const string RequestLogCategory = "EarlyExit.Server.Requests";

    private static async Task LogRequest(HttpContext context, RequestDelegate next)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(RequestLogCategory).LogInformation(
                "{Method} {Path} {Status} {Milliseconds:0.0} ms", context.Request.Method, context.Request.Path.Value,
                context.Response.StatusCode, System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
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
            var classifier = EarlyExitClassifier.Load(o.ModelDirectory!, o.ClassifierOptions);
            if (o.FeedbackRefit && classifier.Calibration is null)
            {
                classifier.Dispose();
                throw new ArgumentException($"{nameof(ServerOptions.FeedbackRefit)} re-fits the reliability diagrams of the model's calibration, and {o.ModelDirectory} has none: run earlyexit calibrate first");
            }
            return classifier;
        });
        services.AddSingleton<ServerMetrics>();
        services.AddSingleton<Feedback.FeedbackMonitor>();
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
