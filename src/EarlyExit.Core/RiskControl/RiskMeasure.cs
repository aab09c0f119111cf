namespace EarlyExit.Core.RiskControl;

/// <summary>
/// What a risk-controlled policy bounds: the per-sample loss ℓ_i(λ) of docs/algorithms.md §5.1.
/// </summary>
public enum RiskMeasure
{
    /// <summary>1[ŷ_exit ≠ ŷ_M]: the early answer differs from the full model's. Needs no label.</summary>
    Disagreement,

    /// <summary>1[ŷ_exit ≠ y]: the early answer is wrong.</summary>
    Error,

    /// <summary>1[ŷ_exit ≠ y] − 1[ŷ_M ≠ y] ∈ {−1, 0, 1}: the accuracy lost to exiting early.</summary>
    AccuracyGap,
}
