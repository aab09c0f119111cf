using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EarlyExit.Core.Catalog;
using EarlyExit.Server.Api;
using EarlyExit.Server.Tests.TestDoubles;
using EarlyExit.Torch.Runtime;

namespace EarlyExit.Server.Tests.Api;

/// <summary>POST /v1/classify: answers that equal the offline runtime's, and every way a request can be wrong.</summary>
[Collection(SharedServerCollection.Name)]
public sealed class ClassifyEndpointTests(SharedServer server)
{
    private readonly HttpClient _client = server.CreateClient();

    [Fact]
    public async Task DefaultPolicyAnswersEachInputInOrderAsTheOfflineRuntimeDoes()
    {
        string[] inputs = [.. TestModel.Sentences.Take(3)];

        HttpResponseMessage response = await _client.PostAsJsonAsync("/v1/classify", new { inputs });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        ClassifyResponse body = (await response.Content.ReadFromJsonAsync<ClassifyResponse>())!;
        var calibrated = TestModel.Offline.DefaultPolicy;
        Assert.Equal(calibrated.Name, body.Policy.Name);
        Assert.Equal(calibrated.Parameter, body.Policy.Parameter);
        Assert.Equal(3, body.Results.Count);
        for (int i = 0; i < inputs.Length; i++) AssertAnswer(TestModel.RunOffline(inputs[i], null), body.Results[i]);
    }

    [Fact]
    public async Task DeltaIsPceesParameterAndParameterWorksForAnyPolicy()
    {
        string text = TestModel.Sentences[5];

        var pcee = await Classify(new { inputs = new[] { text }, policy = "pcee", delta = 0.6 });
        var byParameter = await Classify(new { inputs = new[] { text }, policy = "PCEE", parameter = 0.6 });
        var deltaOnly = await Classify(new { inputs = new[] { text }, delta = 0.6 }); // the default policy is PCEE
        var staticTwo = await Classify(new { inputs = new[] { text }, policy = "static", parameter = 2 });

        Assert.Equal(new PolicyInfo("pcee", 0.6), pcee.Policy);
        // The same answers; each has its own id for feedback.
        Assert.Equal(WithoutId(pcee.Results), WithoutId(byParameter.Results));
        Assert.Equal(WithoutId(pcee.Results), WithoutId(deltaOnly.Results));
        Assert.NotEqual(pcee.Results[0].Id, byParameter.Results[0].Id);
        AssertAnswer(TestModel.RunOffline(text, new PolicySpec("pcee", 0.6)), pcee.Results[0]);
        Assert.Equal(new PolicyInfo("static", 2), staticTwo.Policy);
        Assert.Equal(2, staticTwo.Results[0].ExitLayer);
        AssertAnswer(TestModel.RunOffline(text, new PolicySpec("static", 2)), staticTwo.Results[0]);
    }

    [Fact]
    public async Task AllLayersCostsMoreThanTheFullModelByTheInternalHeads()
    {
        var body = await Classify(new { inputs = new[] { "Terrible." }, policy = "static", parameter = 6 });

        // "Terrible." is 4 tokens: a layer costs 14,180,352 FLOPs (EarlyExitRuntimeTests), a 2-class head
        // 2·384² + 2·384·2 = 296,448. 6 layers + 6 heads over 6 layers + 1 head
        // = (85,082,112 + 1,778,688) / (85,082,112 + 296,448) = 86,860,800 / 85,378,560.
        Assert.Equal(6, body.Results[0].ExitLayer);
        Assert.Equal(86_860_800.0 / 85_378_560.0, body.Results[0].ComputeFraction, 12);
    }

    [Theory]
    [InlineData("{\"inputs\": [\"a\"", "not valid JSON")]
    [InlineData("[1, 2]", "the request body must be a JSON object")]
    [InlineData("{\"inputs\": [\"a\"], \"delt\": 0.9}", "unknown property 'delt'; expected one of: inputs, policy, parameter, delta")]
    [InlineData("{\"inputs\": \"a\"}", "'inputs' must be an array of strings")]
    [InlineData("{\"inputs\": [1]}", "'inputs[0]' must be a string")]
    [InlineData("{\"inputs\": [\"a\"], \"policy\": 3}", "'policy' must be a string")]
    [InlineData("{\"inputs\": [\"a\"], \"policy\": \"energy\", \"parameter\": \"Infinity\"}", "'parameter' must be a number")]
    [InlineData("{\"inputs\": [\"a\"], \"policy\": \"entropy\", \"parameter\": \"-Infinity\"}", "'parameter' must be a number")]
    [InlineData("{\"inputs\": [\"a\"], \"policy\": \"beem-a\", \"parameter\": \"Infinity\"}", "'parameter' must be a number")]
    [InlineData("{\"inputs\": [\"a\"], \"policy\": \"beem-c\", \"parameter\": \"NaN\"}", "'parameter' must be a number")]
    [InlineData("{\"inputs\": [\"a\"], \"delta\": \"0.9\"}", "'delta' must be a number")]
    [InlineData("null", "the request body is null")]
    [InlineData("", "the request body is empty")]
    [InlineData("{}", "'inputs' is required")]
    [InlineData("{\"inputs\": []}", "'inputs' is empty")]
    [InlineData("{\"inputs\": [\"a\", null]}", "inputs[1] is null")]
    [InlineData("{\"inputs\": [\"a\"], \"policy\": \"fastest\"}", "unknown policy 'fastest'; valid policies: max-prob, entropy")]
    [InlineData("{\"inputs\": [\"a\"], \"policy\": \"pcee\", \"delta\": 1.5}", "delta must be in [0, 1]; got 1.5")]
    [InlineData("{\"inputs\": [\"a\"], \"policy\": \"patience\", \"delta\": 0.9}", "'delta' is the accuracy target of pcee, pcee-ws, pcee-cp; policy 'patience' takes 'parameter'")]
    [InlineData("{\"inputs\": [\"a\"], \"delta\": 0.9, \"parameter\": 0.8}", "'delta' (0.9) and 'parameter' (0.8) disagree")]
    [InlineData("{\"inputs\": [\"a\"], \"policy\": \"static\", \"parameter\": 7}", "between 1 and 6 (the number of exits); got 7")]
    [InlineData("{\"inputs\": [\"a\"], \"policy\": \"oracle\"}", "policy 'oracle' is not deployable")]
    public async Task BadRequestsGet400WithAProblemThatSaysWhy(string json, string expected)
    {
        HttpResponseMessage response = await _client.PostAsync("/v1/classify", new StringContent(json, Encoding.UTF8, "application/json"));

        JsonElement problem = await Problem(response, HttpStatusCode.BadRequest);
        string detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains(expected, detail, StringComparison.Ordinal);
        // The client's words, not .NET's: no type names such as EarlyExit.Server.Api.ClassifyRequest.
        Assert.DoesNotContain("EarlyExit.", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDefaultPolicysNameAloneMeansTheDefaultPolicy()
    {
        string text = TestModel.Sentences[7];

        var byName = await Classify(new { inputs = new[] { text }, policy = "pcee" });
        var byDefault = await Classify(new { inputs = new[] { text } });

        Assert.Equal(TestModel.Offline.DefaultPolicy.Name, byName.Policy.Name);
        Assert.Equal(byDefault.Policy, byName.Policy); // the same δ, not the catalog's unrounded default
        Assert.Equal(WithoutId(byDefault.Results), WithoutId(byName.Results));
    }

    [Fact]
    public async Task TooManyInputsAndTooLongInputsName400sLimit()
    {
        var many = await _client.PostAsJsonAsync("/v1/classify", new { inputs = new[] { "a", "b", "c", "d", "e" } });
        var longText = await _client.PostAsJsonAsync("/v1/classify", new { inputs = new[] { "ok", new string('x', 201) } });

        JsonElement manyProblem = await Problem(many, HttpStatusCode.BadRequest);
        Assert.Equal("MaxInputsPerRequest", manyProblem.GetProperty("limit").GetString());
        Assert.Equal(4, manyProblem.GetProperty("maximum").GetInt32());
        Assert.Equal("'inputs' has 5 texts; the limit (MaxInputsPerRequest) is 4", manyProblem.GetProperty("detail").GetString());
        JsonElement longProblem = await Problem(longText, HttpStatusCode.BadRequest);
        Assert.Equal("MaxCharactersPerInput", longProblem.GetProperty("limit").GetString());
        Assert.Equal("inputs[1] has 201 characters; the limit (MaxCharactersPerInput) is 200", longProblem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ABodyOverTheLimitGets413()
    {
        string json = $"{{\"inputs\": [\"{new string('x', 2100)}\"]}}"; // 13 + 2,100 + 3 = 2,116 bytes > 2,048

        var response = await _client.PostAsync("/v1/classify", new StringContent(json, Encoding.UTF8, "application/json"));

        JsonElement problem = await Problem(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("MaxRequestBodyBytes", problem.GetProperty("limit").GetString());
        Assert.Equal(2048, problem.GetProperty("maximum").GetInt32());
        Assert.Equal("the body is 2116 bytes; the limit (MaxRequestBodyBytes) is 2048 bytes", problem.GetProperty("detail").GetString());
    }

    private async Task<ClassifyResponse> Classify(object request)
    {
        HttpResponseMessage response = await _client.PostAsJsonAsync("/v1/classify", request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ClassifyResponse>())!;
    }

    internal static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    internal static void AssertAnswer(ExitResult expected, ClassifyResult actual)
    {
        Assert.Equal(TestModel.LabelNames[expected.Prediction], actual.Label);
        Assert.Equal(expected.Prediction, actual.LabelIndex);
        Assert.Equal(expected.LayersExecuted, actual.ExitLayer);
        Assert.True(Math.Abs(expected.Probabilities[expected.Prediction] - actual.Probability) <= 1e-4,
            $"probability {actual.Probability}, offline {expected.Probabilities[expected.Prediction]}");
        Assert.Equal(expected.ComputeFraction, actual.ComputeFraction, 12);
    }

    private static ClassifyResult[] WithoutId(IEnumerable<ClassifyResult> results) => [.. results.Select(r => r with { Id = "" })];
}
