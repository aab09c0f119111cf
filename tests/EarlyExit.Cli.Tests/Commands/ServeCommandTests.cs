using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using EarlyExit.Cli.Tests.TestDoubles;

namespace EarlyExit.Cli.Tests.Commands;

/// <summary>serve: hosts the trained tiny model on loopback, answers, and stops on Ctrl-C.</summary>
[Collection(MiniLmCollection.Name)]
public sealed class ServeCommandTests(TrainedModelFixture model)
{
    [Fact]
    public void A_missing_model_folder_is_a_user_error()
    {
        string missing = Path.Combine(model.Root, "no-such-model");
        CliRun run = CliRun.Of("serve", "--model", missing);

        Assert.Equal(1, run.Status);
        Assert.Single(run.ErrorLines);
        Assert.StartsWith($"earlyexit: --model {missing}: no such folder", run.Error);
    }

    [Fact]
    public void An_unknown_batching_mode_lists_the_valid_ones()
    {
        CliRun run = CliRun.Of("serve", "--model", model.ModelPath, "--batching", "dynamic");

        Assert.Equal(1, run.Status);
        Assert.Contains("depth-pooled", run.Error);
    }

    [Fact]
    public async Task Serves_classify_on_loopback_and_stops_cleanly_on_cancellation()
    {
        int port = FreePort();
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(() => CliRun.WithToken("", stop.Token, "serve", "--model", model.ModelPath, "--urls", $"http://127.0.0.1:{port}"));
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        HttpResponseMessage? response = null;
        for (int attempt = 0; attempt < 120 && response is null; attempt++)
        {
            try
            {
                response = await client.PostAsJsonAsync("/v1/classify", new { inputs = new[] { "win a free cruise now", "minutes of the meeting" }, policy = "static", parameter = 6 });
            }
            catch (HttpRequestException)
            {
                if (serving.IsCompleted) Assert.Fail($"serve ended early: {(await serving).Error}");
                await Task.Delay(250);
            }
        }
        Assert.NotNull(response);
        Assert.Equal(HttpStatusCode.OK, response!.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var results = body.RootElement.GetProperty("results");
        Assert.Equal(2, results.GetArrayLength());
        // static k = 6: every input runs all six layers.
        Assert.All(results.EnumerateArray(), r => Assert.Equal(6, r.GetProperty("exitLayer").GetInt32()));

        stop.Cancel();
        CliRun run = await serving.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, run.Status);
        Assert.Contains($"serving {model.ModelPath}", run.Error);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
