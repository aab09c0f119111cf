using System.Collections.Immutable;
using EarlyExit.Core.Policies;

namespace EarlyExit.Core.Evaluation;

/// <summary>
/// A one-parameter family of exit policies and the parameter values to search: what
/// <see cref="PolicySolver"/> tunes, e.g. max-prob thresholds τ on a grid.
/// </summary>
public sealed record PolicyFamily
{
    /// <summary>Creates a family.</summary>
    /// <param name="name">Name for reports, e.g. "max-prob".</param>
    /// <param name="create">Builds the policy for one parameter value.</param>
    /// <param name="grid">Parameter values to search, at least one; see <see cref="ParameterGrid"/>.</param>
    /// <exception cref="ArgumentException">A blank name or an empty grid.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="create"/> is null.</exception>
    public PolicyFamily(string name, Func<double, ExitPolicy> create, IEnumerable<double> grid)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(grid);
        var values = grid.ToImmutableArray();
        if (values.IsEmpty)
            throw new ArgumentException($"the grid of policy family '{name}' must hold at least one parameter value; got 0", nameof(grid));
        Name = name;
        Create = create;
        Grid = values;
    }

    /// <summary>Name for reports.</summary>
    public string Name { get; }

    /// <summary>Builds the policy for one parameter value.</summary>
    public Func<double, ExitPolicy> Create { get; }

    /// <summary>Parameter values to search, in order; never empty.</summary>
    public ImmutableArray<double> Grid { get; }
}
