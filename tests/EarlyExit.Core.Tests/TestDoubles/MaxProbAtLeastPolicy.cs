using EarlyExit.Core.Policies;

namespace EarlyExit.Core.Tests.TestDoubles;

/// <summary>TEST DOUBLE (not the project's threshold policy): exit at the first exit with max-prob ≥ τ.</summary>
internal sealed record MaxProbAtLeastPolicy(double Tau) : ExitPolicy
{
    public override string Name => "test-max-prob";

    public override double Parameter => Tau;

    protected override bool Decide(in ExitObservation observation, ref ExitState state) => observation.Signals.MaxProb >= Tau;
}
