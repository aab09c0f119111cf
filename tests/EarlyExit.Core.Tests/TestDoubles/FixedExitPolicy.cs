using EarlyExit.Core.Policies;

namespace EarlyExit.Core.Tests.TestDoubles;

/// <summary>TEST DOUBLE (not the project's static-k policy): every sample leaves at 0-based exit <see cref="Exit"/>.</summary>
internal sealed record FixedExitPolicy(int Exit) : ExitPolicy
{
    public override string Name => "test-fixed";

    public override double Parameter => Exit;

    public override void Validate(int exitCount)
    {
        base.Validate(exitCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(Exit, exitCount);
    }

    protected override bool Decide(in ExitObservation observation, ref ExitState state) => observation.ExitIndex >= Exit;
}
