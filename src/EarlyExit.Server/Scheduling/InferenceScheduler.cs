using System.Collections.Immutable;
using System.Diagnostics;
using EarlyExit.Core.Policies;
using EarlyExit.Server.Serving;
using EarlyExit.Server.Telemetry;
using EarlyExit.Torch.Runtime;

namespace EarlyExit.Server.Scheduling;

/// <summary>
/// Turns concurrent classify requests into model calls on one background worker thread, the only
/// thread that runs the model. Requests wait in a queue; each subclass decides how the worker
/// batches their inputs (rows).
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
/// </remarks>
public abstract class InferenceScheduler : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly LinkedList<ClassifyJob> _queue = new();
    private readonly Thread _worker;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pending;
    private int _cancellations;
    private int _cancellationsSeen; // by the worker
    private bool _stopping;
    private bool _draining;

    /// <summary>Creates the scheduler and starts its worker thread.</summary>
    /// <param name="model">The model; the worker is its only user from now on.</param>
    /// <param name="options">Batch size, queue delay and capacity (validated by the caller).</param>
    /// <param name="metrics">Where layer calls and exits are counted.</param>
    /// <param name="batchSize">Most rows per model call.</param>
    /// <param name="start">False to leave the worker stopped until <see cref="StartWorker"/> (tests queue requests first, so the batches they see are known).</param>
    private protected InferenceScheduler(EarlyExitClassifier model, ServerOptions options, ServerMetrics metrics, int batchSize, bool start)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        Model = model;
        Options = options;
        Metrics = metrics;
        BatchSize = batchSize;
        _worker = new Thread(RunWorker) { IsBackground = true, Name = $"earlyexit-{GetType().Name}" };
        if (start) _worker.Start();
    }

    /// <summary>Starts a worker created stopped.</summary>
    internal void StartWorker() => _worker.Start();

    /// <summary>The model served.</summary>
    public EarlyExitClassifier Model { get; }

    /// <summary>The options it runs with.</summary>
    public ServerOptions Options { get; }

    /// <summary>Most rows per model call.</summary>
    public int BatchSize { get; }

    /// <summary>Where it counts layer calls and exits.</summary>
    public ServerMetrics Metrics { get; }

    /// <summary>Inputs accepted and not yet answered (queued or running).</summary>
    public int PendingInputs
    {
        get
        {
            lock (_gate) return _pending;
        }
    }

    /// <summary>True while the worker thread runs (until <see cref="StopAsync"/> has drained it, or it failed).</summary>
    public bool IsRunning => !_stopped.Task.IsCompleted;

    /// <summary>Queues a request's inputs and returns the task of their results.</summary>
    /// <param name="texts">The inputs, at least one (limits are the endpoint's business).</param>
    /// <param name="policy">The exit policy for every input of the request (deployable, validated for the model).</param>
    /// <param name="cancellationToken">Cancels the request and frees its inputs.</param>
    /// <returns>One result per input, in input order.</returns>
    /// <exception cref="QueueFullException">The inputs do not fit in the capacity.</exception>
    /// <exception cref="SchedulerStoppedException">The scheduler is shutting down.</exception>
    public Task<ImmutableArray<ExitResult>> SubmitAsync(IReadOnlyList<string> texts, ExitPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(policy);
        if (texts.Count == 0) throw new ArgumentException("texts must hold at least one input; got 0", nameof(texts));
        cancellationToken.ThrowIfCancellationRequested();
        var job = new ClassifyJob(texts, policy);
        lock (_gate)
        {
            if (_stopping) throw new SchedulerStoppedException();
            if (_pending + texts.Count > Options.QueueCapacity) throw new QueueFullException(Options.QueueCapacity, _pending, texts.Count);
            _pending += texts.Count;
            _queue.AddLast(job);
            Metrics.PendingInputs.Set(_pending);
            Monitor.PulseAll(_gate);
        }
        if (cancellationToken.CanBeCanceled)
        {
            CancellationTokenRegistration registration = cancellationToken.Register(() =>
            {
                if (!job.Cancel(cancellationToken)) return;
                lock (_gate)
                {
                    _cancellations++;
                    Monitor.PulseAll(_gate);
                }
            });
            job.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        return job.Task;
    }

    /// <summary>
    /// Stops waiting for batches to fill (<see cref="ServerOptions.MaxQueueDelay"/>) and still accepts
    /// requests: the first step of a shutdown, while the HTTP server finishes its in-flight requests.
    /// </summary>
    public void Drain()
    {
        lock (_gate)
        {
            _draining = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Refuses new requests, answers every request already accepted, and stops the worker.</summary>
    /// <returns>A task that completes when the worker has stopped.</returns>
    public Task StopAsync()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        return _stopped.Task;
    }

    /// <summary>Stops the scheduler (<see cref="StopAsync"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// The worker's loop. Returns when <see cref="WaitForWork"/> says the scheduler is stopping and
    /// nothing is left, after the subclass has answered every row it holds.
    /// </summary>
    protected abstract void Run();

    /// <summary>True when requests were cancelled since the worker last asked: it should drop their rows.</summary>
    private protected bool TakeCancellations()
    {
        lock (_gate)
        {
            bool any = _cancellations != _cancellationsSeen;
            _cancellationsSeen = _cancellations;
            return any;
        }
    }

    /// <summary>True when no live input waits in the queue.</summary>
    protected bool QueueIsEmpty
    {
        get
        {
            lock (_gate)
            {
                DropFinishedJobs();
                return _queue.Count == 0;
            }
        }
    }

    /// <summary>Takes up to <paramref name="max"/> queued inputs, oldest request first, without waiting.</summary>
    /// <param name="max">Most rows to take.</param>
    /// <param name="into">Receives the rows.</param>
    /// <returns>The number of rows taken.</returns>
    private protected int TakeRows(int max, List<QueuedRow> into)
    {
        lock (_gate)
        {
            return TakeRowsLocked(max, into);
        }
    }

    /// <summary>
    /// Waits until an input is queued, a cancellation happens, or <paramref name="timeout"/> passes.
    /// </summary>
    /// <param name="timeout">Longest wait; <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    /// <param name="idle">True when the caller holds no rows: then, once stopping and the queue is
    /// empty, it returns false at once to end the worker.</param>
    /// <returns>False when the worker should end (stopping, nothing queued, nothing held).</returns>
    protected bool WaitForWork(TimeSpan timeout, bool idle)
    {
        lock (_gate)
        {
            DropFinishedJobs();
            // A request queued or cancelled since the worker last looked: no sleeping through it.
            if (_queue.Count > 0 || _cancellations != _cancellationsSeen) return true;
            if (_stopping) return !idle;
            if (_draining && !idle) return true;
            Monitor.Wait(_gate, timeout);
            DropFinishedJobs();
            return !(idle && _stopping && _queue.Count == 0);
        }
    }

    /// <summary>
    /// Takes up to <paramref name="max"/> rows, waiting first for one to arrive and then, for as long as
    /// <see cref="ServerOptions.MaxQueueDelay"/> after the oldest row taken arrived, for the batch to fill.
    /// </summary>
    /// <param name="max">Batch size.</param>
    /// <param name="into">Receives the rows.</param>
    /// <returns>False when the worker should end (stopping and nothing queued).</returns>
    private protected bool WaitForBatch(int max, List<QueuedRow> into)
    {
        lock (_gate)
        {
            while (true)
            {
                TakeRowsLocked(max, into);
                if (into.Count > 0) break;
                if (_stopping) return false;
                Monitor.Wait(_gate);
            }
            long deadline = into[0].Job.ArrivedAt + (long)(Options.MaxQueueDelay.TotalSeconds * Stopwatch.Frequency);
            while (into.Count < max && !_stopping && !_draining)
            {
                TimeSpan left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
                if (Stopwatch.GetTimestamp() >= deadline) break;
                Monitor.Wait(_gate, left);
                TakeRowsLocked(max - into.Count, into);
            }
            return true;
        }
    }

    /// <summary>Marks <paramref name="count"/> accepted inputs as finished (answered, failed or dropped), freeing capacity.</summary>
    protected void Release(int count)
    {
        if (count == 0) return;
        lock (_gate)
        {
            _pending -= count;
            Metrics.PendingInputs.Set(_pending);
        }
    }

    /// <summary>True once <see cref="Drain"/> or <see cref="StopAsync"/> was called: batches stop waiting for company.</summary>
    protected bool IsDraining
    {
        get
        {
            lock (_gate) return _stopping || _draining;
        }
    }

    /// <summary>Answers one row (counting its exit); call <see cref="Release"/> for it too.</summary>
    /// <param name="row">The row.</param>
    /// <param name="result">Its result.</param>
    private protected void Answer(QueuedRow row, ExitResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Metrics.Exit(result.ExitIndex);
        row.Job.Complete(row.Row, result);
    }

    /// <summary>Creates the scheduler <see cref="ServerOptions.Batching"/> names.</summary>
    /// <param name="model">The model.</param>
    /// <param name="options">Validated options.</param>
    /// <param name="metrics">The server's metrics.</param>
    public static InferenceScheduler Create(EarlyExitClassifier model, ServerOptions options, ServerMetrics metrics) =>
        Create(model, options, metrics, start: true);

    /// <summary><see cref="Create(EarlyExitClassifier, ServerOptions, ServerMetrics)"/>, optionally with the worker left stopped.</summary>
    internal static InferenceScheduler Create(EarlyExitClassifier model, ServerOptions options, ServerMetrics metrics, bool start)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Batching switch
        {
            BatchingMode.DepthPooled => new DepthPooledScheduler(model, options, metrics, start),
            BatchingMode.Static => new StaticBatchScheduler(model, options, metrics, options.MaxBatchSize, start),
            BatchingMode.Single => new StaticBatchScheduler(model, options, metrics, 1, start),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Batching, $"unknown batching mode {options.Batching}"),
        };
    }

    private int TakeRowsLocked(int max, List<QueuedRow> into)
    {
        int taken = 0;
        while (taken < max && _queue.First is { } node)
        {
            ClassifyJob job = node.Value;
            if (job.IsFinished)
            {
                _pending -= job.Texts.Count - job.NextRow;
                _queue.RemoveFirst();
                continue;
            }
            while (taken < max && job.NextRow < job.Texts.Count)
            {
                into.Add(new QueuedRow(job, job.NextRow++));
                taken++;
            }
            if (job.NextRow == job.Texts.Count) _queue.RemoveFirst();
        }
        Metrics.PendingInputs.Set(_pending);
        return taken;
    }

    // Cancelled requests still queued give their inputs back.
    private void DropFinishedJobs()
    {
        LinkedListNode<ClassifyJob>? node = _queue.First;
        while (node is not null)
        {
            LinkedListNode<ClassifyJob>? next = node.Next;
            if (node.Value.IsFinished)
            {
                _pending -= node.Value.Texts.Count - node.Value.NextRow;
                _queue.Remove(node);
            }
            node = next;
        }
        Metrics.PendingInputs.Set(_pending);
    }

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
            lock (_gate)
            {
                _stopping = true;
                foreach (ClassifyJob job in _queue) job.Fail(e);
                _queue.Clear();
            }
            _stopped.TrySetException(e);
        }
    }
}
