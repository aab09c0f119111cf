namespace EarlyExit.Core.Policies;

/// <summary>
/// An exit policy (docs/algorithms.md §2): sees one sample's exits one at a time, in order, and after
/// each says exit or continue. It never looks at a later exit than the current one (the
/// oracles excepted: they are evaluation bounds, <see cref="IsDeployable"/> false).
/// </summary>
/// <remarks>
/// A policy is an immutable record: a new threshold is a new policy. Per-sample memory lives in
/// <see cref="ExitState"/>. The same object drives the layer-by-layer runtime (one call per
/// layer as the model runs) and the offline evaluator (replaying an exit trace).
/// </remarks>
public abstract record ExitPolicy
{
    /// <summary>Short name used in reports and on the command line, e.g. "max-prob".</summary>
    public abstract string Name { get; }

    /// <summary>The policy's main parameter, for reports (τ, P, δ, α, k); NaN when it has none.</summary>
    public virtual double Parameter => double.NaN;

    /// <summary>False for the oracles, which need <see cref="SampleHindsight"/>.</summary>
    public virtual bool IsDeployable => true;

    /// <summary>
    /// Checks that the policy fits a model with <paramref name="exitCount"/> exits
    /// (per-exit arrays of the right length, k within range).
    /// </summary>
    /// <exception cref="ArgumentException">The policy does not fit.</exception>
    public virtual void Validate(int exitCount) =>
        ArgumentOutOfRangeException.ThrowIfLessThan(exitCount, 1);

    /// <summary>
    /// Updates the sample's state with the exit just computed and says whether it leaves here.
    /// The last exit always exits, whatever the policy's own rule says.
    /// </summary>
    /// <param name="observation">The exit just computed.</param>
    /// <param name="state">The sample's running state; start it with <see cref="ExitState.Start"/>.</param>
    /// <returns>True to exit at this exit.</returns>
    public bool ShouldExit(in ExitObservation observation, ref ExitState state)
    {
        bool exit = Decide(observation, ref state);
        state.PreviousPrediction = observation.Prediction;
        return exit || observation.IsLast;
    }

    /// <summary>
    /// The policy's own rule. Called once per exit in order; <paramref name="state"/>'s
    /// <see cref="ExitState.PreviousPrediction"/> still holds the previous exit's prediction
    /// (-1 at the first) and is updated after this returns.
    /// </summary>
    protected abstract bool Decide(in ExitObservation observation, ref ExitState state);
}
