using EarlyExit.Server.Api;

namespace EarlyExit.Server;

/// <summary>
/// Hosts EarlyExit's HTTP endpoints in any ASP.NET Core application, next to its own:
/// <c>POST /v1/classify</c>, <c>GET /v1/model</c>, <c>GET /healthz</c>, <c>GET /metrics</c>
/// (Prometheus text) and <c>GET /openapi/v1.json</c>.
/// </summary>
public static class EarlyExitEndpoints
{
    /// <summary>Maps every endpoint; the services come from <see cref="EarlyExitServer.AddEarlyExitClassifier"/>.</summary>
    /// <param name="endpoints">The application.</param>
    /// <returns>The /v1 route group, for further conventions (authorization, rate limiting, …).</returns>
    public static RouteGroupBuilder MapEarlyExitApi(this IEndpointRouteBuilder endpoints) => EarlyExitApi.Map(endpoints);
}
