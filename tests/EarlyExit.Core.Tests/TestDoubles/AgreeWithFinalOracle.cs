using EarlyExit.Core.Policies;

namespace EarlyExit.Core.Tests.TestDoubles;

/// <summary>
/// TEST DOUBLE (not the project's oracle): exit at the first exit whose prediction equals the
/// final exit's, read from the hindsight; throws when the evaluator withholds it.
/// </summary>
internal sealed record AgreeWithFinalOracle : ExitPolicy
{
    public override string Name => "test-oracle";

    public override bool IsDeployable => false;

    protected override bool Decide(in ExitObservation observation, ref ExitState state) =>
        observation.Prediction == (state.Hindsight ?? throw new InvalidOperationException("no hindsight given to an oracle")).FinalPrediction;
}
