using System.ComponentModel;
using EarlyExit.Core.Policies;

namespace EarlyExit.Server.Api;

/// <summary>A policy as the API shows it.</summary>
/// <param name="Name">Catalog name.</param>
/// <param name="Parameter">Its parameter, or null when it has no single one (BEEM with per-exit thresholds).</param>
public sealed record PolicyInfo(
    [property: Description("Policy name.")] string Name,
    [property: Description("Its parameter; null when it has no single one.")] double? Parameter)
{
    /// <summary>The API view of <paramref name="policy"/>.</summary>
    public static PolicyInfo Of(ExitPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new(policy.Name, double.IsNaN(policy.Parameter) ? null : policy.Parameter);
    }
}
