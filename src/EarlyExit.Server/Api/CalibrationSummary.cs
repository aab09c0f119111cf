using System.ComponentModel;

namespace EarlyExit.Server.Api;

/// <summary>The calibration as <c>GET /v1/model</c> shows it.</summary>
/// <param name="SampleCount">Validation inputs it was fitted on.</param>
/// <param name="ExitAccuracies">Validation accuracy of each exit, 1..M.</param>
/// <param name="FinalExitAccuracy">The final exit's validation accuracy (the full model's).</param>
/// <param name="Guarantee">What the risk-controlled default policy promises, in words (calibrate --risk); null without one.</param>
/// <param name="RiskLimit">The limit as calibrate took it, e.g. "disagreement:0.02"; null without one.</param>
/// <param name="Confidence">1 − δ of the guarantee; null without one.</param>
public sealed record CalibrationSummary(
    [property: Description("Validation inputs the calibration was fitted on.")] int SampleCount,
    [property: Description("Validation accuracy of each exit, first to last.")] IReadOnlyList<double> ExitAccuracies,
    [property: Description("The final exit's validation accuracy (the full model's).")] double FinalExitAccuracy,
    [property: Description("What the risk-controlled default policy promises, in words; null when calibrate was not given --risk.")] string? Guarantee = null,
    [property: Description("The risk limit, MEASURE:EPSILON; null without risk control.")] string? RiskLimit = null,
    [property: Description("The confidence 1 − δ of the guarantee; null without risk control.")] double? Confidence = null);
