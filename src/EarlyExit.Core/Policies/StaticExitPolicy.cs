namespace EarlyExit.Core.Policies;

/// <summary>
/// Static truncation (docs/algorithms.md §2, the "BERT-6L" / "DNN-9L" baselines): every sample runs
/// exactly k layers and leaves at exit k, whatever its signals say.
/// </summary>
public sealed record StaticExitPolicy : ExitPolicy
{
    /// <summary>Creates the policy.</summary>
    /// <param name="layersExecuted">k, the 1-based number of layers to run (1..M).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layersExecuted"/> is below 1.</exception>
    public StaticExitPolicy(int layersExecuted)
    {
        if (layersExecuted < 1)
            throw new ArgumentOutOfRangeException(nameof(layersExecuted), layersExecuted,
                $"layersExecuted must be at least 1; got {layersExecuted}");
        LayersExecuted = layersExecuted;
    }

    /// <summary>k, the 1-based number of layers every sample runs; it leaves at 0-based exit k − 1.</summary>
    public int LayersExecuted { get; }

    /// <summary>The name the catalog and the command line use: "static".</summary>
    public const string PolicyName = "static";

    /// <summary>"static".</summary>
    public override string Name => PolicyName;

    /// <summary>k.</summary>
    public override double Parameter => LayersExecuted;

    /// <summary>Checks k ≤ M.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="exitCount"/> is below 1.</exception>
    /// <exception cref="ArgumentException">k exceeds the number of exits.</exception>
    public override void Validate(int exitCount)
    {
        base.Validate(exitCount);
        if (LayersExecuted > exitCount)
            throw new ArgumentException(
                $"layersExecuted must be between 1 and {exitCount} (the number of exits); got {LayersExecuted}", nameof(exitCount));
    }

    /// <inheritdoc/>
    protected override bool Decide(in ExitObservation observation, ref ExitState state) =>
        observation.LayersExecuted >= LayersExecuted;
}
