namespace EarlyExit.Cli.Evaluation;

/// <summary>The risk-control check as typed (<see cref="ResampleOptions"/>), checked by <see cref="ResampleSettings.Parse"/>.</summary>
/// <param name="Draws"><c>--resample</c>: R random calibration/test halves.</param>
/// <param name="Measure"><c>--risk-measure</c>: disagreement, error or gap.</param>
/// <param name="Targets"><c>--risk-targets</c>: the ε's, comma-separated.</param>
/// <param name="Confidence"><c>--confidence</c>: 1 − δ.</param>
public sealed record ResampleRequest(int Draws, string Measure = ResampleRequest.DefaultMeasure, string Targets = ResampleRequest.DefaultTargets,
    double Confidence = Core.RiskControl.RiskLimit.DefaultConfidence)
{
    /// <summary>The risk checked by default.</summary>
    public const string DefaultMeasure = "disagreement";

    /// <summary>The targets by default: the ε ∈ {0.01, 0.02, 0.05}.</summary>
    public const string DefaultTargets = "0.01,0.02,0.05";
}
