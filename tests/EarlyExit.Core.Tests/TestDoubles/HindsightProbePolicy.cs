using EarlyExit.Core.Policies;

namespace EarlyExit.Core.Tests.TestDoubles;

/// <summary>
/// TEST DOUBLE: a "deployable" policy that cheats: it exits at once when it is given hindsight.
/// Evaluated honestly (no hindsight), every sample runs to the last exit.
/// </summary>
internal sealed record HindsightProbePolicy : ExitPolicy
{
    public override string Name => "test-probe";

    protected override bool Decide(in ExitObservation observation, ref ExitState state) => state.Hindsight is not null;
}
