using System.Diagnostics.CodeAnalysis;

namespace EarlyExit.Core.Policies;

/// <summary>
/// The oracle exits of docs/algorithms.md §2 (PCEE fig. 1): bounds for reports that look at the
/// sample's final prediction or true label, so they can never be deployed.
/// </summary>
/// <remarks>
/// They read <see cref="ExitState.Hindsight"/>, which only an evaluation fills in
/// (<see cref="ExitState.Start"/> with a <see cref="SampleHindsight"/>). Without it they throw
/// rather than guess: a silent fallback would print a bound that is not one.
/// </remarks>
public sealed record OraclePolicy : ExitPolicy
{
    /// <summary>Creates the oracle.</summary>
    /// <param name="kind">Which hindsight to use.</param>
    /// <exception cref="ArgumentOutOfRangeException">An undefined <paramref name="kind"/>.</exception>
    public OraclePolicy(OracleKind kind)
    {
        if (!Enum.IsDefined(kind))
            throw new ArgumentOutOfRangeException(nameof(kind), kind,
                $"kind must be one of {string.Join(", ", Enum.GetNames<OracleKind>())}; got {kind}");
        Kind = kind;
    }

    /// <summary>Which hindsight the oracle uses.</summary>
    public OracleKind Kind { get; }

    /// <summary>"oracle" (<see cref="OracleKind.AgreesWithFinal"/>) or "correct-oracle" (<see cref="OracleKind.FirstCorrect"/>).</summary>
    public override string Name => Kind == OracleKind.AgreesWithFinal ? "oracle" : "correct-oracle";

    /// <summary>False: an oracle needs the sample's hindsight.</summary>
    public override bool IsDeployable => false;

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The state has no <see cref="ExitState.Hindsight"/>,
    /// or, for <see cref="OracleKind.FirstCorrect"/>, its label is unknown (−1).</exception>
    protected override bool Decide(in ExitObservation observation, ref ExitState state)
    {
        if (state.Hindsight is not { } hindsight)
            return ThrowNoHindsight();
        if (Kind == OracleKind.AgreesWithFinal)
            return observation.Prediction == hindsight.FinalPrediction;
        if (hindsight.Label < 0)
            return ThrowNoLabel(hindsight.Label);
        return observation.Prediction == hindsight.Label;
    }

    [DoesNotReturn]
    private bool ThrowNoHindsight() =>
        throw new InvalidOperationException(
            $"the {Name} policy cannot decide: the oracle policies are evaluation bounds and need the sample's hindsight (final prediction, label); start the sample's ExitState with a SampleHindsight");

    [DoesNotReturn]
    private static bool ThrowNoLabel(int label) =>
        throw new InvalidOperationException(
            $"the correct-oracle policy cannot decide: the oracle policies are evaluation bounds and need the sample's hindsight (final prediction, label), and this sample's label is {label} (unknown)");
}
