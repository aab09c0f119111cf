namespace EarlyExit.Core.Calibration;

/// <summary>
/// What PCEE's reliability diagrams count as a hit (docs/algorithms.md §2.4), and so what its δ
/// promises on data like the validation set.
/// </summary>
public enum PceeTarget
{
    /// <summary>The exit's answer equals the label: δ is a target accuracy (PCEE's own setting).</summary>
    Correctness,

    /// <summary>
    /// The exit's answer equals the final exit's (§4.8): δ is the probability that the early answer is
    /// the full model's, which needs no label and is what a retrofit onto a deployed model (§3.5) promises.
    /// </summary>
    Agreement,
}
