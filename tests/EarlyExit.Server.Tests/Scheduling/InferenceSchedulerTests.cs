using EarlyExit.Core.Policies;
using EarlyExit.Server.Scheduling;
using EarlyExit.Server.Serving;
using EarlyExit.Server.Telemetry;
using EarlyExit.Server.Tests.TestDoubles;

namespace EarlyExit.Server.Tests.Scheduling;

/// <summary>
/// What every scheduler shares, whichever batching it does: the factory's choice, argument
/// checks, tokenization on the submitting thread, and draining.
/// </summary>
public sealed class InferenceSchedulerTests(LoadedModel loaded) : IClassFixture<LoadedModel>
{
    private readonly EarlyExitClassifier _model = loaded.Model;

    [Theory]
    [InlineData(BatchingMode.DepthPooled, typeof(DepthPooledScheduler), 4)]
    [InlineData(BatchingMode.Static, typeof(StaticBatchScheduler), 4)]
    [InlineData(BatchingMode.Single, typeof(StaticBatchScheduler), 1)]
    public async Task TheFactoryBuildsTheModesSchedulerOnTheModelAndItsTokenizer(BatchingMode mode, Type type, int batchSize)
    {
        await using var scheduler = InferenceScheduler.Create(_model, Options(mode), new ServerMetrics());

        Assert.IsType(type, scheduler);
        Assert.Equal(batchSize, scheduler.BatchSize);
        Assert.Same(_model.Model, scheduler.Model);
        Assert.Same(_model.Tokenizer, scheduler.Tokenizer);
    }

    [Fact]
    public async Task BadArgumentsAreRefusedBeforeAnythingIsQueued()
    {
        await using var scheduler = InferenceScheduler.Create(_model, Options(BatchingMode.DepthPooled), new ServerMetrics());
        ExitPolicy policy = _model.ResolvePolicy(null);

        Assert.Throws<ArgumentException>(() => { _ = scheduler.SubmitAsync([], policy); });
        Assert.Throws<ArgumentNullException>(() => { _ = scheduler.SubmitAsync(["One."], null!); });
        Assert.Throws<OperationCanceledException>(() => { _ = scheduler.SubmitAsync(["One."], policy, new CancellationToken(canceled: true)); });
        Assert.Equal(0, scheduler.PendingInputs);
    }

    [Theory]
    [InlineData(BatchingMode.DepthPooled)]
    [InlineData(BatchingMode.Static)]
    public async Task ATextTheTokenizerRejectsFailsOnlyItsOwnRequestAtSubmit(BatchingMode mode)
    {
        // The worker is not started: the rejection cannot come from it.
        await using var scheduler = InferenceScheduler.Create(_model, Options(mode), new ServerMetrics(), start: false);
        ExitPolicy policy = _model.ResolvePolicy(null);

        var good = scheduler.SubmitAsync(["One."], policy);
        var rejected = scheduler.SubmitAsync(["Two.", null!], policy);
        var alsoGood = scheduler.SubmitAsync(["Three."], policy);
        bool failedAtSubmit = rejected.IsFaulted;
        int pending = scheduler.PendingInputs;
        scheduler.StartWorker();

        Assert.True(failedAtSubmit);
        await Assert.ThrowsAsync<ArgumentNullException>(() => rejected);
        Assert.Equal(2, pending); // the rejected request took no capacity
        Assert.Single(await good);
        Assert.Single(await alsoGood);
    }

    [Theory]
    [InlineData(BatchingMode.DepthPooled)]
    [InlineData(BatchingMode.Static)]
    public async Task DrainingRunsAPartialBatchWithoutWaitingForCompany(BatchingMode mode)
    {
        var options = new ServerOptions { ModelDirectory = TestModel.Directory, Batching = mode, MaxBatchSize = 8, MaxQueueDelay = TimeSpan.FromMinutes(10) };
        await using var scheduler = InferenceScheduler.Create(_model, options, new ServerMetrics());
        var waiting = scheduler.SubmitAsync(["One.", "Two."], _model.ResolvePolicy(null));

        scheduler.Drain();

        Assert.Equal(2, (await waiting.WaitAsync(TimeSpan.FromMinutes(1))).Length);
        Assert.True(scheduler.IsRunning); // draining is not stopping
        Assert.Single(await scheduler.SubmitAsync(["Three."], _model.ResolvePolicy(null)).WaitAsync(TimeSpan.FromMinutes(1)));
    }

    private static ServerOptions Options(BatchingMode mode) => new()
    {
        ModelDirectory = TestModel.Directory,
        Batching = mode,
        MaxBatchSize = 4,
        MaxQueueDelay = TimeSpan.FromMilliseconds(1),
    };
}
