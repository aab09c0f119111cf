using System.Net;
using System.Net.Http.Json;
using EarlyExit.Core.Catalog;
using EarlyExit.Server.Api;
using EarlyExit.Server.Tests.TestDoubles;
using EarlyExit.Torch.Runtime;

namespace EarlyExit.Server.Tests.Api;

/// <summary>
/// 200 concurrent requests of 1 to 3 inputs under six policies, mixed in the same batches at
/// different depths: every answer equals the offline runtime run on that input alone with that policy.
/// </summary>
[Collection(SharedServerCollection.Name)]
public sealed class ConcurrencyTests(SharedServer server)
{
    private static readonly PolicySpec?[] Policies =
    [
        null,
        new("pcee", 0.5),
        new("pcee", 0.8),
        new("pcee-ws", 0.7),
        new("patience", 2),
        new("max-prob", 0.62),
    ];

    [Fact]
    public async Task TwoHundredConcurrentRequestsGetTheOfflineAnswers()
    {
        const int requests = 200;
        var sentences = TestModel.Sentences;
        // Request i: inputs i, i + 7, i + 14 (mod 40), 1 to 3 of them; policy i mod 6.
        var plans = Enumerable.Range(0, requests)
            .Select(i => (Inputs: Enumerable.Range(0, 1 + (i % 3)).Select(j => sentences[(i + (7 * j)) % sentences.Count]).ToArray(), Policy: Policies[i % Policies.Length]))
            .ToArray();
        var expected = new Dictionary<(string, PolicySpec?), ExitResult>();
        foreach (var (inputs, policy) in plans)
        {
            foreach (string text in inputs)
            {
                if (!expected.ContainsKey((text, policy))) expected[(text, policy)] = TestModel.RunOffline(text, policy);
            }
        }
        // The mix must really spread inputs over depths, or nothing is pooled across layers.
        Assert.True(expected.Values.Select(r => r.ExitIndex).Distinct().Count() >= 3,
            $"offline exits {string.Join(",", expected.Values.Select(r => r.LayersExecuted).Distinct())}");
        HttpClient client = server.CreateClient();

        var responses = await Task.WhenAll(plans.Select(async plan =>
        {
            object body = plan.Policy is null ? new { inputs = plan.Inputs }
                : new { inputs = plan.Inputs, policy = plan.Policy.Name, parameter = plan.Policy.Parameter };
            HttpResponseMessage response = await client.PostAsJsonAsync("/v1/classify", body);
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            return (await response.Content.ReadFromJsonAsync<ClassifyResponse>())!;
        }));

        for (int i = 0; i < requests; i++)
        {
            Assert.Equal(plans[i].Inputs.Length, responses[i].Results.Count);
            for (int j = 0; j < plans[i].Inputs.Length; j++)
                ClassifyEndpointTests.AssertAnswer(expected[(plans[i].Inputs[j], plans[i].Policy)], responses[i].Results[j]);
        }
    }
}
