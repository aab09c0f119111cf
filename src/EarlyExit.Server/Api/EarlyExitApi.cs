using System.Collections.Immutable;
using System.Diagnostics;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Policies;
using EarlyExit.Server.Feedback;
using EarlyExit.Server.Scheduling;
using EarlyExit.Server.Serving;
using EarlyExit.Server.Telemetry;
using EarlyExit.Torch.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Prometheus;

namespace EarlyExit.Server.Api;

/// <summary>
/// The server's endpoints, mapped in one place: <c>POST /v1/classify</c>, <c>GET /v1/model</c>,
/// <c>GET /healthz</c>, <c>GET /metrics</c> (Prometheus text) and <c>GET /openapi/v1.json</c>.
/// </summary>
internal static class EarlyExitApi
{
    /// <summary>Maps every endpoint (<see cref="EarlyExitEndpoints.MapEarlyExitApi"/> is the public entry).</summary>
    /// <param name="endpoints">The application.</param>
    /// <returns>The /v1 route group.</returns>
    internal static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        RouteGroupBuilder v1 = endpoints.MapGroup("/v1").WithTags("EarlyExit");
        v1.MapPost("/classify", Classify)
            .Accepts<ClassifyRequest>("application/json")
            .Produces<ClassifyResponse>()
            .WithName("Classify")
            .WithSummary("Classify texts with early exit")
            .WithDescription("Each input leaves the model at the first exit its policy accepts; the answer says where and what it cost.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        v1.MapPost("/feedback", Feedback)
            .Accepts<FeedbackRequest>("application/json")
            .Produces<FeedbackSummary>()
            .WithName("Feedback")
            .WithSummary("The true label of a recent answer")
            .WithDescription("Scores the answer with that id; the realised accuracy and agreement over the feedback window are in /metrics and /v1/model, with an alarm when they fall below what the default policy promised.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        v1.MapGet("/model", GetModel)
            .WithName("GetModel")
            .WithSummary("The model served: config, labels, calibration, policies and limits");
        endpoints.MapHealthChecks("/healthz");
        endpoints.MapMetrics("/metrics", endpoints.ServiceProvider.GetRequiredService<ServerMetrics>().Registry);
        endpoints.MapOpenApi();
        return v1;
    }

    private static async Task<IResult> Classify(
        HttpRequest request, EarlyExitClassifier model, InferenceScheduler scheduler, IOptions<ServerOptions> options,
        ServerMetrics metrics, FeedbackMonitor feedback, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        string outcome = "error";
        try
        {
            var (response, problem) = await ClassifyCore(request, model, scheduler, options.Value, feedback, cancellationToken).ConfigureAwait(false);
            string answered = problem?.StatusCode switch
            {
                null => "ok",
                StatusCodes.Status413PayloadTooLarge => "too_large",
                StatusCodes.Status503ServiceUnavailable => "unavailable",
                _ => "bad_request",
            };
            // Written here, not by the framework after we return, so that a failure while writing
            // (e.g. a value the serializer refuses) is counted as the error it is, never as ok.
            IResult result = problem is null ? TypedResults.Ok(response!) : problem;
            await result.ExecuteAsync(request.HttpContext).ConfigureAwait(false);
            outcome = answered;
            return Results.Empty;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = "cancelled";
            throw;
        }
        finally
        {
            metrics.Requests.WithLabels(outcome).Inc();
            metrics.RequestDuration.Observe(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
    }

    private static async Task<(ClassifyResponse? Response, ProblemHttpResult? Problem)> ClassifyCore(
        HttpRequest request, EarlyExitClassifier model, InferenceScheduler scheduler, ServerOptions options, FeedbackMonitor feedback, CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestReader.ReadAsync<ClassifyRequest>(request, options.MaxRequestBodyBytes, cancellationToken).ConfigureAwait(false);
        if (problem is not null) return (null, problem);
        if (CheckInputs(body!.Inputs, options) is { } inputProblem) return (null, inputProblem);
        string[] texts = [.. body.Inputs!.Select(t => t!)];

        ExitPolicy policy;
        try
        {
            policy = feedback.Resolve(Spec(body, model));
        }
        catch (ArgumentException e)
        {
            return (null, ApiProblems.BadRequest(Message(e)));
        }

        ImmutableArray<ExitResult> results;
        try
        {
            results = await scheduler.SubmitAsync(texts, policy, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is QueueFullException or SchedulerStoppedException)
        {
            request.HttpContext.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return (null, ApiProblems.Unavailable(e.Message));
        }
        bool underDefault = PolicyInfo.Of(policy) == PolicyInfo.Of(feedback.Resolve(null));
        return (new ClassifyResponse(PolicyInfo.Of(policy), [.. results.Select((r, i) => Result(r, model, feedback.Record(texts[i], r, underDefault)))]), null);
    }

    /// <summary>
    /// POST /v1/feedback: scores a recent answer against its true label. An answer that left early
    /// is run once more through the full model (static k = M) to learn whether it agreed with it;
    /// that run is counted in the metrics like any input.
    /// </summary>
    private static async Task<IResult> Feedback(
        HttpRequest request, EarlyExitClassifier model, InferenceScheduler scheduler, IOptions<ServerOptions> options,
        FeedbackMonitor feedback, CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestReader.ReadAsync<FeedbackRequest>(request, options.Value.MaxRequestBodyBytes, cancellationToken).ConfigureAwait(false);
        if (problem is not null) return problem;
        if (string.IsNullOrEmpty(body!.Id)) return ApiProblems.BadRequest("'id' is required: the id a classify result returned");
        if (LabelOf(body.Label, model.Labels) is not { } label)
            return ApiProblems.BadRequest($"'label' must be one of the model's labels ({string.Join(", ", model.Labels)}) or a class index 0..{model.Labels.Length - 1}; got {body.Label?.GetRawText() ?? "nothing"}");
        if (!feedback.Answers.TryTake(body.Id, out Answer answer))
        {
            string detail = feedback.Answers.WasIssued(body.Id)
                ? $"answer '{body.Id}' is no longer open for feedback: it already received feedback, or it left the window of the last {feedback.Answers.Capacity:N0} answers (FeedbackWindow); feedback must arrive within that window"
                : $"no answer with id '{body.Id}': ids come from the results of POST /v1/classify";
            return TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not Found");
        }
        int final = answer.Prediction;
        // With the re-fit on every answer runs in full once more, for its exits' signals; otherwise only
        // an early answer does, to learn the full model's answer.
        if (feedback.Refit is not null || answer.ExitIndex < feedback.ExitCount - 1)
        {
            try
            {
                var run = new ObservingFullRun(feedback.ExitCount);
                var full = await scheduler.SubmitAsync([answer.Text], run, cancellationToken).ConfigureAwait(false);
                final = full[0].Prediction;
                feedback.Refit?.Add(run.Seen, label);
            }
            catch (Exception e) when (e is QueueFullException or SchedulerStoppedException)
            {
                request.HttpContext.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return ApiProblems.Unavailable(e.Message);
            }
        }
        return TypedResults.Ok(feedback.Score(answer, label, final));
    }

    /// <summary>The class a feedback's label names: a label name (exact, then ignoring case) or an index; null when neither.</summary>
    private static int? LabelOf(System.Text.Json.JsonElement? label, IReadOnlyList<string> labels)
    {
        if (label is not { } value) return null;
        if (value.ValueKind == System.Text.Json.JsonValueKind.Number)
            return value.TryGetInt32(out int index) && (uint)index < (uint)labels.Count ? index : null;
        if (value.ValueKind != System.Text.Json.JsonValueKind.String) return null;
        string name = value.GetString()!;
        for (int i = 0; i < labels.Count; i++) if (labels[i] == name) return i;
        for (int i = 0; i < labels.Count; i++) if (string.Equals(labels[i], name, StringComparison.OrdinalIgnoreCase)) return i;
        return null;
    }

    private static ProblemHttpResult? CheckInputs(IReadOnlyList<string?>? inputs, ServerOptions options)
    {
        if (inputs is null) return ApiProblems.BadRequest("'inputs' is required: an array of texts to classify");
        if (inputs.Count == 0) return ApiProblems.BadRequest("'inputs' is empty; give at least one text");
        if (inputs.Count > options.MaxInputsPerRequest)
            return ApiProblems.OverLimit(StatusCodes.Status400BadRequest, nameof(ServerOptions.MaxInputsPerRequest), options.MaxInputsPerRequest,
                $"'inputs' has {inputs.Count} texts; the limit (MaxInputsPerRequest) is {options.MaxInputsPerRequest}");
        for (int i = 0; i < inputs.Count; i++)
        {
            if (inputs[i] is not { } text) return ApiProblems.BadRequest($"inputs[{i}] is null; every input must be a string");
            if (text.Length > options.MaxCharactersPerInput)
                return ApiProblems.OverLimit(StatusCodes.Status400BadRequest, nameof(ServerOptions.MaxCharactersPerInput), options.MaxCharactersPerInput,
                    $"inputs[{i}] has {text.Length} characters; the limit (MaxCharactersPerInput) is {options.MaxCharactersPerInput}");
        }
        return null;
    }

    /// <summary>The spec a request names; "delta" is PCEE's parameter under its own name.</summary>
    /// <exception cref="ArgumentException">delta with a non-PCEE policy, or delta and parameter that disagree.</exception>
    private static PolicySpec? Spec(ClassifyRequest body, EarlyExitClassifier model)
    {
        double? parameter = body.Parameter;
        if (body.Delta is { } delta)
        {
            string name = body.Policy ?? model.DefaultPolicy.Name;
            if (!PceePolicy.IsPceeName(name))
                throw new ArgumentException($"'delta' is the accuracy target of {string.Join(", ", PceePolicy.Names)}; policy '{name}' takes 'parameter' ({PolicyCatalog.DescribeParameter(name)})");
            if (parameter is { } p && p != delta)
                throw new ArgumentException($"'delta' ({delta}) and 'parameter' ({p}) disagree; give one of them");
            parameter = delta;
        }
        if (body.Policy is null && parameter is null) return null;
        return new PolicySpec(body.Policy ?? model.DefaultPolicy.Name, parameter);
    }

    private static ClassifyResult Result(ExitResult result, EarlyExitClassifier model, string id) => new(
        model.Labels[result.Prediction], result.Prediction, result.Probabilities[result.Prediction], result.LayersExecuted, result.ComputeFraction, id);

    private static Ok<ModelInfo> GetModel(EarlyExitClassifier model, IOptions<ServerOptions> options, FeedbackMonitor feedback)
    {
        ServerOptions o = options.Value;
        var calibration = model.Calibration is { } c
            ? new CalibrationSummary(c.SampleCount, [.. c.ExitAccuracies], c.FinalExitAccuracy,
                c.RiskControl?.Describe(), c.RiskControl?.Limit.ToString(), c.RiskControl?.Limit.Confidence)
            : null;
        string mode = BatchingModes.NameOf(o.Batching);
        return TypedResults.Ok(new ModelInfo(
            model.Config, model.Labels, model.Metadata.Tokenizer, calibration,
            PolicyInfo.Of(model.ResolvePolicy(null)), PolicyCatalog.DeployableNames,
            new ServingInfo(mode, o.MaxBatchSize, o.MaxQueueDelay.TotalMilliseconds, o.QueueCapacity, o.MaxInputsPerRequest,
                o.MaxCharactersPerInput, o.MaxRequestBodyBytes, InferenceBackends.NameOf(model.Backend)),
            feedback.Summary()));
    }

    /// <summary>
    /// Completes the OpenAPI description of <see cref="ClassifyRequest.Policy"/> from the policy
    /// catalog, the table the request's parser reads, so the document lists exactly the names accepted.
    /// </summary>
    /// <param name="schema">A schema of the document.</param>
    /// <param name="context">Which type it describes.</param>
    /// <param name="cancellationToken">Unused.</param>
    public static Task DescribePolicies(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);
        if (context.JsonTypeInfo.Type == typeof(ClassifyRequest) && schema.Properties?.TryGetValue("policy", out IOpenApiSchema? policy) == true
            && policy is OpenApiSchema editable)
            editable.Description = $"{editable.Description} One of: {string.Join(", ", PolicyCatalog.DeployableNames)}.";
        return Task.CompletedTask;
    }

    /// <summary>
    /// Leaves out the <c>servers</c> entry that the OpenAPI generator builds from the request's Host
    /// header: a client could make the document name any host, and behind a proxy the Host seen here
    /// is not the public one. Without it, clients resolve paths against the document's own URL.
    /// </summary>
    /// <param name="document">The document.</param>
    /// <param name="context">Unused.</param>
    /// <param name="cancellationToken">Unused.</param>
    public static Task OmitServers(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.Servers?.Clear();
        return Task.CompletedTask;
    }

    // ArgumentException appends " (Parameter 'name')" (and ArgumentOutOfRangeException the value) to
    // its message; clients need only the rule and the value, which the message already states.
    private static string Message(ArgumentException e)
    {
        int cut = e.ParamName is null ? -1 : e.Message.IndexOf($" (Parameter '{e.ParamName}')", StringComparison.Ordinal);
        return cut >= 0 ? e.Message[..cut] : e.Message;
    }
}
