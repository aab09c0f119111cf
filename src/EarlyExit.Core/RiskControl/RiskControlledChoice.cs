using System.Collections.Immutable;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Policies;

namespace EarlyExit.Core.RiskControl;

/// <summary>
/// What Learn-then-Test chose for a <see cref="RiskLimit"/>: the cheapest parameter of the family
/// whose null "risk &gt; ε" was rejected in fixed sequence, or none, and then the full model.
/// </summary>
/// <param name="Limit">The limit controlled.</param>
/// <param name="Family">The policy family's catalog name, e.g. "max-prob".</param>
/// <param name="Steps">λ_1.. in test order (most compute first), up to and including the first not rejected.</param>
/// <param name="AcceptedCount">How many leading steps were rejected (accepted as safe); 0: none.</param>
/// <param name="SampleCount">n, the calibration samples.</param>
/// <param name="ExitCount">M, the model's exits (the fallback is static k = M).</param>
public sealed record RiskControlledChoice(RiskLimit Limit, string Family, ImmutableArray<RiskControlStep> Steps,
    int AcceptedCount, int SampleCount, int ExitCount)
{
    /// <summary>True when no parameter passed: the full model is deployed (§5: never a guess).</summary>
    public bool FellBack => AcceptedCount == 0;

    /// <summary>The last accepted step, λ̂; null when <see cref="FellBack"/>.</summary>
    public RiskControlStep? Chosen => FellBack ? null : Steps[AcceptedCount - 1];

    /// <summary>The policy to deploy: the family at λ̂, or static k = M (the full model).</summary>
    public PolicySpec Policy => Chosen is { } step
        ? new PolicySpec(Family, step.Parameter)
        : new PolicySpec(StaticExitPolicy.PolicyName, ExitCount);

    /// <summary>The guarantee in words, or why there is none but the full model.</summary>
    public string Describe() => FellBack
        ? $"no {Family} setting passed the test for {Limit} at {Limit.Confidence:0.###} confidence on {SampleCount} calibration samples: the full model runs (static:{ExitCount})"
        : $"{Policy}: {Limit.Describe()} (Learn-then-Test on {SampleCount} calibration samples)";
}
