namespace EarlyExit.Cli.Evaluation;

/// <summary>
/// One policy of the larger model set against the smaller model's full-depth point
/// (<see cref="PceeComparison"/>), its parameter chosen on validation, measured on the reported split.
/// </summary>
/// <param name="Policy">Catalog name: "max-prob", "pcee", "pcee-ws" or "oracle".</param>
/// <param name="Goal">What the parameter was chosen for: <see cref="PceeComparison.AtSmallCost"/>,
/// <see cref="PceeComparison.MatchingAccuracy"/> or <see cref="PceeComparison.Bound"/>.</param>
/// <param name="Parameter">τ or δ; null for the oracle.</param>
/// <param name="Found">False when no parameter of the grid met the goal on validation (then the other fields are NaN).</param>
/// <param name="Accuracy">Accuracy on the reported split, in [0, 1].</param>
/// <param name="Flops">Average FLOPs per input on the reported split, exit heads included.</param>
public sealed record ComparisonPoint(string Policy, string Goal, double? Parameter, bool Found, double Accuracy, double Flops)
{
    /// <summary>Error, 1 − accuracy, in [0, 1].</summary>
    public double Error => 1 - Accuracy;
}
