using EarlyExit.Server.Scheduling;

namespace EarlyExit.Server.Serving;

/// <summary>
/// Starts the scheduler (loading the model) with the host, so a bad model directory fails at
/// start-up rather than on the first request, and shuts it down gracefully: when shutdown begins
/// (<see cref="StoppingAsync"/>, before any service stops) batches stop waiting to fill; the host
/// then stops the HTTP server, which lets in-flight requests finish while the scheduler runs; last
/// (<see cref="StopAsync"/>) the scheduler refuses new work, answers what it holds and ends.
/// </summary>
internal sealed class SchedulerLifetime(IServiceProvider services) : IHostedLifecycleService
{
    private InferenceScheduler? _scheduler;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _scheduler = services.GetRequiredService<InferenceScheduler>();
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        _scheduler?.Drain();
        return Task.CompletedTask;
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) =>
        _scheduler is null ? Task.CompletedTask : _scheduler.StopAsync().WaitAsync(cancellationToken);
}
