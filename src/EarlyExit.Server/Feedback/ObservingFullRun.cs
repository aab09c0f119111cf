using System.Collections.Immutable;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;

namespace EarlyExit.Server.Feedback;

/// <summary>
/// The full-model run (static k = M) of an answer that received feedback, which also keeps the
/// signals of every exit it passed: what the online reliability re-fit adds to each exit's diagram.
/// One instance per run; the scheduler asks it only about that run's row.
/// </summary>
internal sealed record ObservingFullRun : ExitPolicy
{
    private readonly SignalValues[] _seen;

    /// <summary>A run through all <paramref name="exitCount"/> exits.</summary>
    public ObservingFullRun(int exitCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exitCount, 1);
        _seen = new SignalValues[exitCount];
    }

    /// <summary>"static": it exits where static k = M does.</summary>
    public override string Name => StaticExitPolicy.PolicyName;

    /// <summary>M.</summary>
    public override double Parameter => _seen.Length;

    /// <summary>Each exit's signals, once the run is over.</summary>
    public ImmutableArray<SignalValues> Seen => [.. _seen];

    /// <inheritdoc/>
    protected override bool Decide(in ExitObservation observation, ref ExitState state)
    {
        _seen[observation.ExitIndex] = observation.Signals;
        return false; // the last exit exits anyway
    }
}
