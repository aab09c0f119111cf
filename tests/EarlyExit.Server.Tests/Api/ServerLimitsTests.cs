using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using EarlyExit.Server.Api;
using EarlyExit.Server.Scheduling;
using EarlyExit.Server.Tests.TestDoubles;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace EarlyExit.Server.Tests.Api;

/// <summary>Through HTTP: 503 with Retry-After on a full queue, cancellation by the client, and shutdown answering in-flight requests.</summary>
public sealed class ServerLimitsTests
{
    [Fact]
    public async Task AFullQueueGets503WithRetryAfter()
    {
        // The first request waits for company (1-minute queue delay) and fills the capacity of 2.
        await using var factory = new ServerFactory(new ServerOptions { QueueCapacity = 2, MaxBatchSize = 8, MaxQueueDelay = TimeSpan.FromMinutes(1), RetryAfterSeconds = 3 });
        HttpClient client = factory.CreateClient();
        var scheduler = factory.Services.GetRequiredService<InferenceScheduler>();
        using var cancel = new CancellationTokenSource();
        Task<HttpResponseMessage> waiting = client.PostAsJsonAsync("/v1/classify", new { inputs = new[] { "One.", "Two." } }, cancel.Token);
        await WaitFor(() => scheduler.PendingInputs == 2);

        HttpResponseMessage refused = await client.PostAsJsonAsync("/v1/classify", new { inputs = new[] { "Three." } });

        var problem = await ClassifyEndpointTests.Problem(refused, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("3", refused.Headers.GetValues("Retry-After").Single());
        Assert.Equal("the queue is full: 2 of 2 inputs (QueueCapacity) are pending and the request has 1; retry later", problem.GetProperty("detail").GetString());
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task ShutdownAnswersTheRequestInFlightBeforeTheServerStops()
    {
        // Real Kestrel on loopback, port chosen by the system: the host's own shutdown order is what is tested.
        var options = new ServerOptions { ModelDirectory = TestModel.Directory, MaxBatchSize = 8, MaxQueueDelay = TimeSpan.FromMinutes(1) };
        await using WebApplication app = EarlyExitServer.Build(options, ["--urls", "http://127.0.0.1:0"]);
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        var scheduler = app.Services.GetRequiredService<InferenceScheduler>();
        Task<HttpResponseMessage> inFlight = client.PostAsJsonAsync("/v1/classify", new { inputs = new[] { "One.", "Two." } });
        await WaitFor(() => scheduler.PendingInputs == 2);

        await app.StopAsync(); // the request still waits for company (1 min) until shutdown drains the scheduler

        HttpResponseMessage answered = await inFlight;
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(2, (await answered.Content.ReadFromJsonAsync<ClassifyResponse>())!.Results.Count);
        Assert.False(scheduler.IsRunning);
    }

    [Fact]
    public async Task AClientThatGivesUpFreesItsInputs()
    {
        await using var factory = new ServerFactory(new ServerOptions { MaxBatchSize = 8, MaxQueueDelay = TimeSpan.FromMinutes(1) });
        HttpClient client = factory.CreateClient();
        var scheduler = factory.Services.GetRequiredService<InferenceScheduler>();
        using var cancel = new CancellationTokenSource();
        Task<HttpResponseMessage> abandoned = client.PostAsJsonAsync("/v1/classify", new { inputs = new[] { "One.", "Two.", "Three." } }, cancel.Token);
        await WaitFor(() => scheduler.PendingInputs == 3);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        await WaitFor(() => scheduler.PendingInputs == 0);
    }

    [Fact]
    public async Task AChunkedBodyOverTheLimitGets413AsASizedBodyDoes()
    {
        // Real Kestrel: its own body limit (one byte above ours) is what a chunked body used to hit first.
        var options = new ServerOptions { ModelDirectory = TestModel.Directory, MaxRequestBodyBytes = 2048 };
        await using WebApplication app = EarlyExitServer.Build(options, ["--urls", "http://127.0.0.1:0"]);
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        byte[] json = Encoding.UTF8.GetBytes($"{{\"inputs\": [\"{new string('x', 10_000)}\"]}}");

        HttpResponseMessage response = await client.PostAsync("/v1/classify", new ChunkedContent(json));

        var problem = await ClassifyEndpointTests.Problem(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("MaxRequestBodyBytes", problem.GetProperty("limit").GetString());
        Assert.Equal(2048, problem.GetProperty("maximum").GetInt32());
        Assert.Equal("the body is over 2048 bytes; the limit (MaxRequestBodyBytes) is 2048 bytes", problem.GetProperty("detail").GetString());
        await app.StopAsync();
    }

    [Fact]
    public async Task AFailureWhileWritingTheAnswerIsCountedAsAnErrorNotOk()
    {
        await using var factory = new ServerFactory();
        // A serializer that fails on the answer, as an unserializable value in it would.
        using var failing = factory.WithWebHostBuilder(b => b.ConfigureServices(s =>
            s.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Insert(0, new FailingConverter()))));
        HttpClient client = failing.CreateClient();

        HttpResponseMessage response = await client.PostAsJsonAsync("/v1/classify", new { inputs = new[] { "One." } });
        string metrics = await client.GetStringAsync("/metrics");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(1, EarlyExitApiTests.Count(metrics, "earlyexit_requests_total{outcome=\"error\"}"));
        Assert.Equal(0, EarlyExitApiTests.Count(metrics, "earlyexit_requests_total{outcome=\"ok\"}"));
    }

    private sealed class FailingConverter : JsonConverter<ClassifyResponse>
    {
        public override ClassifyResponse Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, ClassifyResponse value, JsonSerializerOptions options) =>
            throw new InvalidOperationException("cannot write this answer");
    }

    // Content of unknown length, so HttpClient sends it with Transfer-Encoding: chunked.
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _body;

        public ChunkedContent(byte[] body)
        {
            _body = body;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            for (int i = 0; i < _body.Length; i += 8192) await stream.WriteAsync(_body.AsMemory(i, Math.Min(8192, _body.Length - i)));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        for (int i = 0; i < 400 && !condition(); i++) await Task.Delay(25);
        Assert.True(condition(), "timed out after 10 s");
    }
}
