using EarlyExit.Core.Evaluation;

namespace EarlyExit.Cli.Evaluation;

/// <summary>One (policy, parameter) of <c>earlyexit evaluate</c>: how it was chosen on validation and what it does on the reported split.</summary>
/// <param name="Policy">Catalog name, e.g. "max-prob".</param>
/// <param name="Selection">How the parameter was chosen.</param>
/// <param name="Target">The speed-up target (for <see cref="RowSelection.Speedup"/>), δ (for <see cref="RowSelection.Delta"/> and <see cref="RowSelection.AgreementDelta"/>), the agreement or accuracy target, or BEEM-C's λ (<see cref="RowSelection.LambdaSweep"/>); null otherwise.</param>
/// <param name="TargetMet">False when no parameter reached the speed-up target on validation (the closest was taken).</param>
/// <param name="Validation">The policy on the validation split.</param>
/// <param name="Result">The policy on the reported split (test by default).</param>
public sealed record EvaluationRow(string Policy, RowSelection Selection, double? Target, bool TargetMet,
    PolicyEvaluation Validation, PolicyEvaluation Result)
{
    /// <summary>The policy's parameter (τ, P, α, δ or k), or null when it has none (oracles, BEEM with eq. 3 thresholds).</summary>
    public double? Parameter => double.IsNaN(Result.Parameter) ? null : Result.Parameter;

    /// <summary>How the parameter was chosen, for people: "speed-up ≥ 2× on validation", "δ = 0.95", ….</summary>
    public string ChosenFor => Selection switch
    {
        RowSelection.Speedup => $"speed-up {Target:0.##}× on validation{(TargetMet ? "" : " (not reached)")}",
        RowSelection.Delta => "target accuracy δ",
        RowSelection.AgreementDelta => "target agreement δ",
        RowSelection.Agreement => $"agreement {100 * Target:0.#}% on validation{(TargetMet ? "" : " (not reached)")}",
        RowSelection.AccuracyWithin => $"accuracy within {100 * PolicyBenchmark.AccuracyMargin:0.#} pt on validation{(TargetMet ? "" : " (not reached)")}",
        RowSelection.ErrorRateThresholds => "eq. 3 thresholds",
        RowSelection.ClassicalAlpha => "classical α (best on validation)",
        RowSelection.LambdaSweep => $"λ = {Target:0.###}, eq. 3 α fixed",
        RowSelection.Layers => "k layers",
        _ => "bound (hindsight)",
    };
}
