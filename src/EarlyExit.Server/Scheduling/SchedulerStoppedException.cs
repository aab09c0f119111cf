namespace EarlyExit.Server.Scheduling;

/// <summary>A request came after the scheduler began shutting down; the server answers 503.</summary>
public sealed class SchedulerStoppedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SchedulerStoppedException()
        : base("the server is shutting down: it finishes the requests it has and accepts no new ones")
    {
    }
}
