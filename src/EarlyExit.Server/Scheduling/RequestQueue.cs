using System.Diagnostics;
using EarlyExit.Server.Telemetry;

namespace EarlyExit.Server.Scheduling;

/// <summary>
/// The requests a scheduler has accepted and not yet answered: the capacity, cancellation and
/// drain/stop rules of <see cref="InferenceScheduler"/>'s remarks, kept in one place. Request
/// threads add and cancel; the worker takes rows, waits for work and releases what it finished.
/// </summary>
/// <param name="capacity">Most inputs pending (queued or running) at a time.</param>
/// <param name="metrics">Where the pending count is published.</param>
internal sealed class RequestQueue(int capacity, ServerMetrics metrics)
{
    private readonly object _gate = new();
    private readonly LinkedList<ClassifyJob> _queue = new();
    private int _pending;
    private int _cancellations;
    private int _cancellationsSeen; // by the worker
    private bool _stopping;
    private bool _draining;

    /// <summary>Inputs accepted and not yet answered (queued or running).</summary>
    public int Pending
    {
        get
        {
            lock (_gate) return _pending;
        }
    }

    /// <summary>True once <see cref="Drain"/> or <see cref="Stop"/> was called: batches stop waiting for company.</summary>
    public bool IsDraining
    {
        get
        {
            lock (_gate) return _stopping || _draining;
        }
    }

    /// <summary>True when no live input waits in the queue.</summary>
    public bool IsEmpty
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

    /// <summary>Accepts a request, or refuses it at once.</summary>
    /// <param name="job">The request.</param>
    /// <param name="cancellationToken">Cancels the request: its task at once, its inputs when the worker next looks.</param>
    /// <exception cref="SchedulerStoppedException">The queue is stopping.</exception>
    /// <exception cref="QueueFullException">The request's inputs do not fit in the capacity.</exception>
    public void Add(ClassifyJob job, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_stopping) throw new SchedulerStoppedException();
            if (_pending + job.Count > capacity) throw new QueueFullException(capacity, _pending, job.Count);
            _pending += job.Count;
            _queue.AddLast(job);
            metrics.PendingInputs.Set(_pending);
            Monitor.PulseAll(_gate);
        }
        if (!cancellationToken.CanBeCanceled) return;
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

    /// <summary>Stops batches waiting for company; requests are still accepted.</summary>
    public void Drain()
    {
        lock (_gate)
        {
            _draining = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Refuses new requests; the worker answers what it has and then ends.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>True when requests were cancelled since the worker last asked: it should drop their rows.</summary>
    public bool TakeCancellations()
    {
        lock (_gate)
        {
            bool any = _cancellations != _cancellationsSeen;
            _cancellationsSeen = _cancellations;
            return any;
        }
    }

    /// <summary>Takes up to <paramref name="max"/> queued inputs, oldest request first, without waiting.</summary>
    /// <param name="max">Most rows to take.</param>
    /// <param name="into">Receives the rows.</param>
    /// <returns>The number of rows taken.</returns>
    public int TakeRows(int max, List<QueuedRow> into)
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
    public bool WaitForWork(TimeSpan timeout, bool idle)
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
    /// <paramref name="maxDelay"/> after the oldest row taken arrived, for the batch to fill.
    /// </summary>
    /// <param name="max">Batch size.</param>
    /// <param name="maxDelay">How long the oldest row may wait for company.</param>
    /// <param name="into">Receives the rows.</param>
    /// <returns>False when the worker should end (stopping and nothing queued).</returns>
    public bool WaitForBatch(int max, TimeSpan maxDelay, List<QueuedRow> into)
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
            long deadline = into[0].Job.ArrivedAt + (long)(maxDelay.TotalSeconds * Stopwatch.Frequency);
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
    public void Release(int count)
    {
        if (count == 0) return;
        lock (_gate)
        {
            _pending -= count;
            metrics.PendingInputs.Set(_pending);
        }
    }

    /// <summary>The worker died: stop, and fail every request still queued with <paramref name="error"/>.</summary>
    public void FailAll(Exception error)
    {
        lock (_gate)
        {
            _stopping = true;
            foreach (ClassifyJob job in _queue) job.Fail(error);
            _queue.Clear();
        }
    }

    private int TakeRowsLocked(int max, List<QueuedRow> into)
    {
        int taken = 0;
        while (taken < max && _queue.First is { } node)
        {
            ClassifyJob job = node.Value;
            if (job.IsFinished)
            {
                _pending -= job.Count - job.NextRow;
                _queue.RemoveFirst();
                continue;
            }
            while (taken < max && job.NextRow < job.Count)
            {
                into.Add(new QueuedRow(job, job.NextRow++));
                taken++;
            }
            if (job.NextRow == job.Count) _queue.RemoveFirst();
        }
        metrics.PendingInputs.Set(_pending);
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
                _pending -= node.Value.Count - node.Value.NextRow;
                _queue.Remove(node);
            }
            node = next;
        }
        metrics.PendingInputs.Set(_pending);
    }
}
