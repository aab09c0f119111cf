namespace EarlyExit.Server.Scheduling;

/// <summary>A request was refused because accepting it would put more inputs in the scheduler
/// than <see cref="ServerOptions.QueueCapacity"/>; the server answers 503 with Retry-After.</summary>
public sealed class QueueFullException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="capacity">The capacity in inputs.</param>
    /// <param name="pending">Inputs accepted and not yet answered.</param>
    /// <param name="requested">Inputs of the refused request.</param>
    public QueueFullException(int capacity, int pending, int requested)
        : base($"the queue is full: {pending} of {capacity} inputs (QueueCapacity) are pending and the request has {requested}; retry later")
    {
        Capacity = capacity;
        Pending = pending;
        Requested = requested;
    }

    /// <summary>The capacity in inputs.</summary>
    public int Capacity { get; }

    /// <summary>Inputs accepted and not yet answered when the request came.</summary>
    public int Pending { get; }

    /// <summary>Inputs of the refused request.</summary>
    public int Requested { get; }
}
