using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using EarlyExit.Core.Catalog;
using EarlyExit.Onnx.Runtime;
using EarlyExit.Server.Api;
using EarlyExit.Server.Tests.TestDoubles;

namespace EarlyExit.Server.Tests.Api;

/// <summary>
/// The server on the ONNX Runtime backend (<see cref="ServerOptions.Backend"/>): POST /v1/classify
/// answers as the TorchSharp runtime does offline, under either batching mode.
/// </summary>
public sealed class OnnxBackendTests
{
    private static readonly PolicySpec?[] Policies = [null, new("pcee", 0.6), new("max-prob", 0.7), new("patience", 2), new("static", 3)];

    [Theory]
    [InlineData(BatchingMode.DepthPooled)]
    [InlineData(BatchingMode.Static)]
    public async Task ClassifyGivesTheTorchRuntimesLabelsExitsAndProbabilities(BatchingMode batching)
    {
        // One ORT thread: the test machine is shared, and the answers must not depend on it.
        using var factory = new ServerFactory(new ServerOptions { Backend = InferenceBackend.Onnx, Onnx = new() { IntraOpThreads = 1 }, Batching = batching });
        using HttpClient client = factory.CreateClient();
        string[] inputs = [.. TestModel.Sentences.Where((_, i) => i % 4 == 0)]; // 10 sentences, both classes
        var layers = new HashSet<int>();

        foreach (PolicySpec? spec in Policies)
        {
            HttpResponseMessage response = await client.PostAsJsonAsync("/v1/classify",
                new { inputs, policy = spec?.Name, parameter = spec?.Parameter });

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            ClassifyResponse body = (await response.Content.ReadFromJsonAsync<ClassifyResponse>())!;
            Assert.Equal(inputs.Length, body.Results.Count);
            for (int i = 0; i < inputs.Length; i++)
            {
                // Same label and exit layer, probability within 1e-4, compute to 12 digits.
                ClassifyEndpointTests.AssertAnswer(TestModel.RunOffline(inputs[i], spec), body.Results[i]);
                layers.Add(body.Results[i].ExitLayer);
            }
        }
        // The comparison covers exits at several depths, not only the last layer.
        Assert.True(layers.Count >= 3, $"exit layers seen: {string.Join(", ", layers.Order())}");
    }

    [Fact]
    public async Task ModelInfoNamesTheBackend()
    {
        using var factory = new ServerFactory(new ServerOptions { Backend = InferenceBackend.Onnx, Onnx = new() { IntraOpThreads = 1 } });
        using HttpClient client = factory.CreateClient();

        JsonElement model = JsonDocument.Parse(await client.GetStringAsync("/v1/model")).RootElement;

        Assert.Equal("onnx", model.GetProperty("batching").GetProperty("backend").GetString());
    }

    [Fact]
    public void TheBackendIsBoundFromConfigurationByName()
    {
        var configuration = new ConfigurationBuilder().AddCommandLine(["--backend", "onnx", "--onnx-threads", "3"],
            EarlyExitServer.SwitchMappings.ToDictionary()).Build();

        ServerOptions options = configuration.GetSection(ServerOptions.SectionName).Get<ServerOptions>()!;

        Assert.Equal(InferenceBackend.Onnx, options.Backend);
        Assert.Equal(3, options.Onnx.IntraOpThreads);
    }

    [Fact]
    public void ANegativeOnnxThreadCountFailsValidationNamingTheOption()
    {
        var options = new ServerOptions { ModelDirectory = "m", Onnx = new() { IntraOpThreads = -1 } };

        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal("IntraOpThreads", e.ParamName);
    }
}
