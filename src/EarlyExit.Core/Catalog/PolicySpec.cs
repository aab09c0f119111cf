using System.Globalization;

namespace EarlyExit.Core.Catalog;

/// <summary>
/// A policy named as a user names it: a catalog name and, optionally, its one parameter
/// (τ, P, α, δ or k). <see cref="PolicyCatalog.Create"/> turns it into an <see cref="Policies.ExitPolicy"/>.
/// </summary>
/// <param name="Name">One of <see cref="PolicyCatalog.Names"/>, e.g. "pcee".</param>
/// <param name="Parameter">The parameter, or null for the policy's default.</param>
public sealed record PolicySpec(string Name, double? Parameter = null)
{
    /// <summary>"name" or "name:parameter", as reports print it.</summary>
    public override string ToString() =>
        Parameter is { } p ? $"{Name}:{p.ToString("R", CultureInfo.InvariantCulture)}" : Name;
}
