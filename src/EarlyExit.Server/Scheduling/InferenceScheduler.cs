using System.Collections.Immutable;
using EarlyExit.Core.Policies;
using EarlyExit.Data.Tokenization;
using EarlyExit.Server.Serving;
using EarlyExit.Server.Telemetry;
using EarlyExit.Torch.Runtime;

namespace EarlyExit.Server.Scheduling;

/// <summary>
/// Turns concurrent classify requests into model calls on one background worker thread, the only
/// thread that runs the model. Requests wait in a queue the scheduler holds; each subclass decides
/// how the worker batches their inputs (rows).
/// </summary>
/// <remarks>
/// <para>Capacity: at most <see cref="ServerOptions.QueueCapacity"/> inputs may be pending
/// (accepted and not answered, whether queued or running); a request that would exceed it is
/// refused at once with <see cref="QueueFullException"/>.</para>
/// <para>Cancellation: a cancelled request's task is cancelled at once; its inputs still queued
/// are skipped, and those already running are dropped at the worker's next step, freeing their
/// capacity.</para>
/// <para>Shutdown: <see cref="StopAsync"/> refuses new requests and waits for the worker to
/// answer every request it already has.</para>
/// <para>Tokenization: <see cref="SubmitAsync"/> tokenizes a request's texts on the caller's
/// thread (<see cref="TextTokenizer.EncodeRow"/>), so the worker only pads the rows it batches
/// (<see cref="TextTokenizer.Collate"/>). A text the tokenizer rejects fails its own request's
/// task, before the request takes any capacity.</para>
/// </remarks>
public abstract class InferenceScheduler : IAsyncDisposable
{
    private readonly Thread _worker;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the scheduler and starts its worker thread.</summary>
    /// <param name="model">The model; the worker is its only user from now on.</param>
    /// <param name="tokenizer">The tokenizer the model was trained with.</param>
    /// <param name="options">Batch size, queue delay and capacity (validated by the caller).</param>
    /// <param name="metrics">Where layer calls and exits are counted.</param>
    /// <param name="batchSize">Most rows per model call.</param>
    /// <param name="start">False to leave the worker stopped until <see cref="StartWorker"/> (tests queue requests first, so the batches they see are known).</param>
    private protected InferenceScheduler(IMultiExitModel<TokenBatch> model, TextTokenizer tokenizer, ServerOptions options,
        ServerMetrics metrics, int batchSize, bool start)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        Model = model;
        Tokenizer = tokenizer;
        Options = options;
        Metrics = metrics;
        BatchSize = batchSize;
        Queue = new RequestQueue(options.QueueCapacity, metrics);
        _worker = new Thread(RunWorker) { IsBackground = true, Name = $"earlyexit-{GetType().Name}" };
        if (start) _worker.Start();
    }

    /// <summary>Starts a worker created stopped.</summary>
    internal void StartWorker() => _worker.Start();

    /// <summary>The model served; only the worker thread runs it.</summary>
    public IMultiExitModel<TokenBatch> Model { get; }

    /// <summary>The tokenizer requests' texts go through.</summary>
    public TextTokenizer Tokenizer { get; }

    /// <summary>The options it runs with.</summary>
    public ServerOptions Options { get; }

    /// <summary>Most rows per model call.</summary>
    public int BatchSize { get; }

    /// <summary>Where it counts layer calls and exits.</summary>
    public ServerMetrics Metrics { get; }

    /// <summary>Inputs accepted and not yet answered (queued or running).</summary>
    public int PendingInputs => Queue.Pending;

    /// <summary>True while the worker thread runs (until <see cref="StopAsync"/> has drained it, or it failed).</summary>
    public bool IsRunning => !_stopped.Task.IsCompleted;

    /// <summary>The requests accepted and not yet answered; the worker takes its rows from here.</summary>
    private protected RequestQueue Queue { get; }

    /// <summary>Tokenizes a request's inputs, queues them and returns the task of their results.</summary>
    /// <param name="texts">The inputs, at least one (limits are the endpoint's business).</param>
    /// <param name="policy">The exit policy for every input of the request (deployable, validated for the model).</param>
    /// <param name="cancellationToken">Cancels the request and frees its inputs.</param>
    /// <returns>One result per input, in input order; a faulted task when the tokenizer rejects a text.</returns>
    /// <exception cref="QueueFullException">The inputs do not fit in the capacity.</exception>
    /// <exception cref="SchedulerStoppedException">The scheduler is shutting down.</exception>
    public Task<ImmutableArray<ExitResult>> SubmitAsync(IReadOnlyList<string> texts, ExitPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(policy);
        if (texts.Count == 0) throw new ArgumentException("texts must hold at least one input; got 0", nameof(texts));
        cancellationToken.ThrowIfCancellationRequested();
        EncodedText[] inputs;
        try
        {
            inputs = [.. texts.Select(text => Tokenizer.EncodeRow(text))];
        }
        catch (Exception e)
        {
            return Task.FromException<ImmutableArray<ExitResult>>(e);
        }
        var job = new ClassifyJob(inputs, policy);
        Queue.Add(job, cancellationToken);
        return job.Task;
    }

    /// <summary>
    /// Stops waiting for batches to fill (<see cref="ServerOptions.MaxQueueDelay"/>) and still accepts
    /// requests: the first step of a shutdown, while the HTTP server finishes its in-flight requests.
    /// </summary>
    public void Drain() => Queue.Drain();

    /// <summary>Refuses new requests, answers every request already accepted, and stops the worker.</summary>
    /// <returns>A task that completes when the worker has stopped.</returns>
    public Task StopAsync()
    {
        Queue.Stop();
        return _stopped.Task;
    }

    /// <summary>Stops the scheduler (<see cref="StopAsync"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Creates the scheduler <see cref="ServerOptions.Batching"/> names for a loaded model.</summary>
    /// <param name="model">The model, its tokenizer with it.</param>
    /// <param name="options">Validated options.</param>
    /// <param name="metrics">The server's metrics.</param>
    public static InferenceScheduler Create(EarlyExitClassifier model, ServerOptions options, ServerMetrics metrics) =>
        Create(model, options, metrics, start: true);

    /// <summary><see cref="Create(EarlyExitClassifier, ServerOptions, ServerMetrics)"/>, optionally with the worker left stopped.</summary>
    internal static InferenceScheduler Create(EarlyExitClassifier model, ServerOptions options, ServerMetrics metrics, bool start)
    {
        ArgumentNullException.ThrowIfNull(model);
        // The one place a scheduler reads EarlyExitClassifier: the schedulers take only what they use.
        return Create(model.Model, model.Tokenizer, options, metrics, start);
    }

    /// <summary>Creates the scheduler <see cref="ServerOptions.Batching"/> names.</summary>
    /// <param name="model">The model; the worker is its only user from now on.</param>
    /// <param name="tokenizer">The tokenizer the model was trained with.</param>
    /// <param name="options">Validated options.</param>
    /// <param name="metrics">The server's metrics.</param>
    public static InferenceScheduler Create(IMultiExitModel<TokenBatch> model, TextTokenizer tokenizer, ServerOptions options, ServerMetrics metrics) =>
        Create(model, tokenizer, options, metrics, start: true);

    internal static InferenceScheduler Create(IMultiExitModel<TokenBatch> model, TextTokenizer tokenizer, ServerOptions options,
        ServerMetrics metrics, bool start)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Batching switch
        {
            BatchingMode.DepthPooled => new DepthPooledScheduler(model, tokenizer, options, metrics, start),
            BatchingMode.Static => new StaticBatchScheduler(model, tokenizer, options, metrics, options.MaxBatchSize, start),
            BatchingMode.Single => new StaticBatchScheduler(model, tokenizer, options, metrics, 1, start),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Batching, $"unknown batching mode {options.Batching}"),
        };
    }

    /// <summary>
    /// The worker's loop. Returns when <see cref="RequestQueue.WaitForWork"/> or
    /// <see cref="RequestQueue.WaitForBatch"/> says the scheduler is stopping and nothing is left,
    /// after the subclass has answered every row it holds.
    /// </summary>
    private protected abstract void Run();

    private void RunWorker()
    {
        try
        {
            Run();
            _stopped.TrySetResult();
        }
        catch (Exception e)
        {
            // A bug in the loop itself (per-step failures are handled there): fail what is queued.
            Queue.FailAll(e);
            _stopped.TrySetException(e);
        }
    }
}
