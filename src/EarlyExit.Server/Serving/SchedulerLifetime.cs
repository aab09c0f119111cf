using EarlyExit.Server.Scheduling;

namespace EarlyExit.Server.Serving;

/// <summary>
/// Starts the scheduler (loading the model) with the host, so a bad model directory fails at
/// start-up rather than on the first request, and drains it on shutdown: the host stops the
/// HTTP server first (in-flight requests finish, the scheduler still running), then this service
/// stops the scheduler after it has answered everything it holds.
/// </summary>
internal sealed class SchedulerLifetime(IServiceProvider services) : IHostedService
{
    private InferenceScheduler? _scheduler;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _scheduler = services.GetRequiredService<InferenceScheduler>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        _scheduler is null ? Task.CompletedTask : _scheduler.StopAsync().WaitAsync(cancellationToken);
}
