namespace EarlyExit.Core.Policies;

/// <summary>
/// PABEE's patience rule (docs/algorithms.md §2): exit once the prediction has stayed the same for
/// <see cref="Patience"/> consecutive exits after the one where it first appeared.
/// </summary>
/// <remarks>
/// The counter (<see cref="ExitState.Streak"/>) is 0 at the first exit; at each later exit it
/// grows by one when ŷ_m = ŷ_{m−1} and drops back to 0 otherwise. The sample exits at the first
/// exit where counter ≥ P. So with P = 2 and predictions (a, b, b, b, …) it leaves at exit 4
/// (1-based): counters 0, 0, 1, 2. The counter can reach at most M − 1, so P = M always runs
/// every layer (the last exit always exits).
/// </remarks>
public sealed record PatiencePolicy : ExitPolicy
{
    /// <summary>Creates the policy.</summary>
    /// <param name="patience">P ≥ 1: how many consecutive agreements with the previous exit are needed.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="patience"/> is below 1.</exception>
    public PatiencePolicy(int patience)
    {
        if (patience < 1)
            throw new ArgumentOutOfRangeException(nameof(patience), patience, $"patience must be at least 1; got {patience}");
        Patience = patience;
    }

    /// <summary>P, the number of consecutive agreements needed to exit (≥ 1).</summary>
    public int Patience { get; }

    /// <summary>"patience".</summary>
    public override string Name => "patience";

    /// <summary>P.</summary>
    public override double Parameter => Patience;

    /// <summary>Checks P ≤ M.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="exitCount"/> is below 1.</exception>
    /// <exception cref="ArgumentException">P exceeds the number of exits.</exception>
    public override void Validate(int exitCount)
    {
        base.Validate(exitCount);
        if (Patience > exitCount)
            throw new ArgumentException(
                $"patience must be between 1 and {exitCount} (the number of exits); got {Patience}", nameof(exitCount));
    }

    /// <inheritdoc/>
    protected override bool Decide(in ExitObservation observation, ref ExitState state)
    {
        // PreviousPrediction is -1 at the first exit, so the first counter is 0.
        state.Streak = observation.Prediction == state.PreviousPrediction ? state.Streak + 1 : 0;
        return state.Streak >= Patience;
    }
}
