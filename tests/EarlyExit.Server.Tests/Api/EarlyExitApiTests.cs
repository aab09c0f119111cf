using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EarlyExit.Server.Api;
using EarlyExit.Server.Tests.TestDoubles;

namespace EarlyExit.Server.Tests.Api;

/// <summary>GET /v1/model, /healthz, /metrics and the OpenAPI document.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class EarlyExitApiTests(SharedServer server)
{
    private readonly HttpClient _client = server.CreateClient();

    [Fact]
    public async Task ModelDescribesConfigLabelsCalibrationPoliciesAndLimits()
    {
        JsonElement model = JsonDocument.Parse(await _client.GetStringAsync("/v1/model")).RootElement;

        var calibration = TestModel.Offline.Calibration!;
        Assert.Equal(6, model.GetProperty("config").GetProperty("layerCount").GetInt32());
        Assert.Equal("Mean", model.GetProperty("config").GetProperty("pooling").GetString());
        Assert.Equal(["negative", "positive"], model.GetProperty("labels").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("all-MiniLM-L6-v2", model.GetProperty("tokenizer").GetProperty("vocabulary").GetString());
        Assert.Equal(40, model.GetProperty("calibration").GetProperty("sampleCount").GetInt32());
        Assert.Equal(calibration.ExitAccuracies, model.GetProperty("calibration").GetProperty("exitAccuracies").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal("pcee", model.GetProperty("defaultPolicy").GetProperty("name").GetString());
        Assert.Equal(calibration.DefaultPolicy.Parameter, model.GetProperty("defaultPolicy").GetProperty("parameter").GetDouble());
        Assert.Contains("pcee", model.GetProperty("policies").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain("oracle", model.GetProperty("policies").EnumerateArray().Select(e => e.GetString()));
        JsonElement batching = model.GetProperty("batching");
        Assert.Equal("depth-pooled", batching.GetProperty("mode").GetString()); // the name --batching takes
        Assert.Equal(16, batching.GetProperty("maxBatchSize").GetInt32());
        Assert.Equal(4, batching.GetProperty("maxInputsPerRequest").GetInt32());
    }

    [Fact]
    public async Task HealthzIsHealthyWhileTheSchedulerRuns()
    {
        HttpResponseMessage response = await _client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task MetricsCountRequestsExitsAndBatchesInPrometheusText()
    {
        var ok = await _client.PostAsJsonAsync("/v1/classify", new { inputs = new[] { "Great value for money.", "Terrible." }, policy = "static", parameter = 3 });
        var bad = await _client.PostAsJsonAsync("/v1/classify", new { inputs = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        HttpResponseMessage response = await _client.GetAsync("/metrics");
        string text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        // Other tests share the server, so counts are at least ours.
        Assert.True(Count(text, "earlyexit_requests_total{outcome=\"ok\"}") >= 1, text);
        Assert.True(Count(text, "earlyexit_requests_total{outcome=\"bad_request\"}") >= 1, text);
        Assert.True(Count(text, "earlyexit_exits_total{layer=\"3\"}") >= 2, text);
        Assert.True(Count(text, "earlyexit_batch_rows_count{layer=\"1\"}") >= 1, text);
        Assert.True(Count(text, "earlyexit_request_duration_seconds_count") >= 2, text);
        Assert.Contains("earlyexit_pending_inputs", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApiDocumentDescribesTheEndpointsAndTheRequest()
    {
        JsonElement document = JsonDocument.Parse(await _client.GetStringAsync("/openapi/v1.json")).RootElement;

        JsonElement paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/v1/classify", out JsonElement classify));
        Assert.True(paths.TryGetProperty("/v1/model", out _));
        Assert.True(classify.GetProperty("post").GetProperty("responses").TryGetProperty("413", out _));
        JsonElement request = document.GetProperty("components").GetProperty("schemas").GetProperty(nameof(ClassifyRequest));
        Assert.Contains("accuracy target", request.GetProperty("properties").GetProperty("delta").GetProperty("description").GetString(), StringComparison.Ordinal);
        // The policy names come from the catalog the request parser reads: exactly the deployable ones.
        string policy = request.GetProperty("properties").GetProperty("policy").GetProperty("description").GetString()!;
        Assert.EndsWith($"One of: {string.Join(", ", EarlyExit.Core.Catalog.PolicyCatalog.DeployableNames)}.", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("threshold-", policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApiDocumentDoesNotEchoTheClientsHost()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        request.Headers.Host = "attacker.example";

        string text = await (await _client.SendAsync(request)).Content.ReadAsStringAsync();

        Assert.DoesNotContain("attacker.example", text, StringComparison.Ordinal);
        JsonElement document = JsonDocument.Parse(text).RootElement;
        Assert.True(!document.TryGetProperty("servers", out JsonElement servers) || servers.GetArrayLength() == 0, text);
    }

    internal static double Count(string metrics, string series)
    {
        foreach (string line in metrics.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
                return double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }
        return 0;
    }
}
