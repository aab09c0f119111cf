using EarlyExit.Server.Scheduling;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EarlyExit.Server.Serving;

/// <summary>Healthy while the scheduler's worker runs (<c>GET /healthz</c>).</summary>
internal sealed class SchedulerHealthCheck(InferenceScheduler scheduler) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(scheduler.IsRunning
            ? HealthCheckResult.Healthy($"{scheduler.GetType().Name} running; {scheduler.PendingInputs} inputs pending")
            : HealthCheckResult.Unhealthy($"{scheduler.GetType().Name} has stopped"));
}
