using EarlyExit.Core.Catalog;
using EarlyExit.Core.Policies;
using EarlyExit.Server.Scheduling;
using EarlyExit.Server.Serving;
using EarlyExit.Server.Telemetry;
using EarlyExit.Server.Tests.TestDoubles;

namespace EarlyExit.Server.Tests.Scheduling;

/// <summary>
/// The depth-pooled scheduler with its worker started only after the requests are queued, so the
/// layer calls it makes are known in advance; and its capacity, cancellation and shutdown.
/// </summary>
public sealed class DepthPooledSchedulerTests : IDisposable
{
    private readonly EarlyExitClassifier _model = EarlyExitClassifier.Load(TestModel.Directory);

    public void Dispose() => _model.Dispose();

    [Fact]
    public async Task RowsThatExitLeaveAndNewRowsFillTheBatchSoDeepLayersRunFull()
    {
        // Synthetic workload: 8 one-input requests, alternately easy (static k = 1) and hard (k = 6),
        // batch size 4, all queued before the worker starts. Expected steps:
        //   layer 1 on e h e h → the 2 e's exit; layer 1's pool is topped up with the next e h e h;
        //   layer 1 on e h e h → pool 2 now holds 4 h's, a full batch; layers 2..6 on 4 rows each.
        // Layer calls: layer 1 twice with 4 rows, layers 2..6 once with 4: 7 calls for 8 + 5·4 = 28 row-layers.
        var metrics = new ServerMetrics();
        await using var scheduler = InferenceScheduler.Create(_model, Options(BatchingMode.DepthPooled), metrics, start: false);
        Task[] answers = [.. Workload(scheduler)];

        scheduler.StartWorker();
        await Task.WhenAll(answers);

        AssertLayerCalls(metrics, [(2, 8), (1, 4), (1, 4), (1, 4), (1, 4), (1, 4)]);
    }

    [Fact]
    public async Task StaticBatchingWaitsForTheWholeBatchSoDeepLayersRunHalfEmpty()
    {
        // The same workload in two static batches of e h e h. The runtime takes one policy, so each
        // batch runs its 2 e's through layer 1 and its 2 h's through layers 1..6: per batch 2 calls
        // of layer 1 and one call of each later layer on 2 rows; 14 calls for the same 28 row-layers.
        var metrics = new ServerMetrics();
        await using var scheduler = InferenceScheduler.Create(_model, Options(BatchingMode.Static), metrics, start: false);
        Task[] answers = [.. Workload(scheduler)];

        scheduler.StartWorker();
        await Task.WhenAll(answers);

        AssertLayerCalls(metrics, [(4, 8), (2, 4), (2, 4), (2, 4), (2, 4), (2, 4)]);
    }

    [Fact]
    public async Task RowsLeftAfterTheLongOneExitsRunCutToTheirOwnWidth()
    {
        // One long input that exits at layer 1 (static k = 1) and three short ones that run to layer 6,
        // admitted together as one segment padded to the long one's W tokens; after layer 1 the three
        // left are cut to their own longest, S: layer 1 costs 4·W padded tokens, layers 2..6 3·S each.
        string[] shortTexts = [.. TestModel.Sentences.Take(3)];
        string longText = string.Join(" ", TestModel.Sentences.Skip(3).Take(4));
        int w = _model.Tokenizer.EncodeRow(longText).Length, s = shortTexts.Max(t => _model.Tokenizer.EncodeRow(t).Length);
        Assert.True(s < w, $"the long text must be longer: {w} vs {s} tokens");
        var metrics = new ServerMetrics();
        await using var scheduler = InferenceScheduler.Create(_model, Options(BatchingMode.DepthPooled), metrics, start: false);
        ExitPolicy easy = _model.ResolvePolicy(new PolicySpec("static", 1)), hard = _model.ResolvePolicy(new PolicySpec("static", 6));
        Task[] answers = [scheduler.SubmitAsync([longText], easy), .. shortTexts.Select(t => scheduler.SubmitAsync([t], hard))];

        scheduler.StartWorker();
        await Task.WhenAll(answers);

        AssertLayerCalls(metrics, [(1, 4), (1, 3), (1, 3), (1, 3), (1, 3), (1, 3)]);
        AssertLayerTokens(metrics, [4 * w, 3 * s, 3 * s, 3 * s, 3 * s, 3 * s]);
    }

    [Fact]
    public async Task NoStepRunsMorePaddedTokensThanTheBudget()
    {
        // Four inputs of L tokens that all run to layer 6, batch size 4: with a budget of 2·L tokens
        // every layer runs twice on 2 rows (2·L tokens each), never once on 4 (4·L); answers unchanged.
        string text = TestModel.Sentences[0];
        int l = _model.Tokenizer.EncodeRow(text).Length;
        var metrics = new ServerMetrics();
        await using var scheduler = InferenceScheduler.Create(_model, Options(BatchingMode.DepthPooled, maxBatchTokens: 2 * l), metrics, start: false);
        var spec = new PolicySpec("static", 6);
        Task<System.Collections.Immutable.ImmutableArray<EarlyExit.Torch.Runtime.ExitResult>>[] answers =
            [.. Enumerable.Range(0, 4).Select(_ => scheduler.SubmitAsync([text], _model.ResolvePolicy(spec)))];

        scheduler.StartWorker();
        await Task.WhenAll(answers);

        AssertLayerCalls(metrics, [.. Enumerable.Repeat((2L, 4.0), 6)]);
        AssertLayerTokens(metrics, [.. Enumerable.Repeat(4 * l, 6)]);
        var expected = TestModel.RunOffline(text, spec);
        foreach (var answer in answers) Assert.Equal(expected.Prediction, (await answer)[0].Prediction);
    }

    [Theory]
    [InlineData(BatchingMode.DepthPooled, 4096)]
    [InlineData(BatchingMode.Static, 4096)]
    [InlineData(BatchingMode.Single, 4096)]
    [InlineData(BatchingMode.DepthPooled, 30)] // a budget that splits the rows into length-sorted batches
    [InlineData(BatchingMode.Static, 30)]
    public async Task EveryModeGivesTheOfflineAnswers(BatchingMode mode, int maxBatchTokens)
    {
        await using var scheduler = InferenceScheduler.Create(_model, Options(mode, maxBatchTokens), new ServerMetrics());
        // Lengths mixed: every other text repeated, so sorting by length reorders them.
        string[] texts = [.. TestModel.Sentences.Take(6).Select((t, i) => i % 2 == 1 ? $"{t} {t} {t}" : t)];
        var spec = new PolicySpec("pcee", 0.6);

        var results = await scheduler.SubmitAsync(texts, _model.ResolvePolicy(spec));

        for (int i = 0; i < texts.Length; i++)
        {
            var expected = TestModel.RunOffline(texts[i], spec);
            Assert.Equal(expected.ExitIndex, results[i].ExitIndex);
            Assert.Equal(expected.Prediction, results[i].Prediction);
            Assert.Equal(expected.Probabilities[expected.Prediction], results[i].Probabilities[expected.Prediction], 1e-4f);
        }
    }

    [Fact]
    public async Task AFullQueueRefusesAndShutdownAnswersWhatItHolds()
    {
        // A long queue delay keeps the first request waiting for company until shutdown.
        var options = new ServerOptions { ModelDirectory = TestModel.Directory, MaxBatchSize = 8, QueueCapacity = 4, MaxQueueDelay = TimeSpan.FromMinutes(1) };
        var scheduler = InferenceScheduler.Create(_model, options, new ServerMetrics());
        ExitPolicy policy = _model.ResolvePolicy(null);
        var first = scheduler.SubmitAsync([.. TestModel.Sentences.Take(3)], policy);

        var full = Assert.Throws<QueueFullException>(() => { _ = scheduler.SubmitAsync([.. TestModel.Sentences.Take(2)], policy); }); // refused at once, not via the task
        Assert.Equal("the queue is full: 3 of 4 inputs (QueueCapacity) are pending and the request has 2; retry later", full.Message);
        Assert.False(first.IsCompleted);

        Task stopped = scheduler.StopAsync();
        Assert.Throws<SchedulerStoppedException>(() => { _ = scheduler.SubmitAsync(["Hello."], policy); });
        await stopped;

        Assert.Equal(3, (await first).Length);
        Assert.Equal(0, scheduler.PendingInputs);
        Assert.False(scheduler.IsRunning);
    }

    [Fact]
    public async Task CancellingARequestFreesItsRows()
    {
        var options = new ServerOptions { ModelDirectory = TestModel.Directory, MaxBatchSize = 8, QueueCapacity = 4, MaxQueueDelay = TimeSpan.FromMinutes(1) };
        await using var scheduler = InferenceScheduler.Create(_model, options, new ServerMetrics());
        ExitPolicy policy = _model.ResolvePolicy(null);
        using var cancel = new CancellationTokenSource();
        var waiting = scheduler.SubmitAsync([.. TestModel.Sentences.Take(4)], policy, cancel.Token);
        Assert.Equal(4, scheduler.PendingInputs);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        for (int i = 0; i < 200 && scheduler.PendingInputs > 0; i++) await Task.Delay(25);
        Assert.Equal(0, scheduler.PendingInputs);
        var next = scheduler.SubmitAsync([.. TestModel.Sentences.Take(4)], policy); // the capacity is back
        await scheduler.StopAsync();
        Assert.Equal(4, (await next).Length);
    }

    private static ServerOptions Options(BatchingMode mode, int maxBatchTokens = 4096) => new()
    {
        ModelDirectory = TestModel.Directory,
        Batching = mode,
        MaxBatchTokens = maxBatchTokens,
        MaxBatchSize = 4,
        MaxQueueDelay = TimeSpan.FromMilliseconds(1),
    };

    private IEnumerable<Task> Workload(InferenceScheduler scheduler)
    {
        ExitPolicy easy = _model.ResolvePolicy(new PolicySpec("static", 1));
        ExitPolicy hard = _model.ResolvePolicy(new PolicySpec("static", 6));
        for (int i = 0; i < 8; i++) yield return scheduler.SubmitAsync([TestModel.Sentences[i]], i % 2 == 0 ? easy : hard);
    }

    // (calls, rows) of each layer, from the batch-size histogram.
    private static void AssertLayerCalls(ServerMetrics metrics, (long Calls, double Rows)[] expected)
    {
        var actual = expected.Select((_, k) => metrics.BatchRows.WithLabels((k + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Select(h => (h.Count, h.Sum)).ToArray();
        Assert.Equal(expected, actual);
    }

    // Padded tokens summed over each layer's calls, from the token histogram.
    private static void AssertLayerTokens(ServerMetrics metrics, int[] expected)
    {
        var actual = expected.Select((_, k) => metrics.BatchTokens.WithLabels((k + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)).Sum).ToArray();
        Assert.Equal(expected.Select(t => (double)t), actual);
    }
}
