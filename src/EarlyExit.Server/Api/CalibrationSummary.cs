using System.ComponentModel;

namespace EarlyExit.Server.Api;

/// <summary>The calibration as <c>GET /v1/model</c> shows it.</summary>
/// <param name="SampleCount">Validation inputs it was fitted on.</param>
/// <param name="ExitAccuracies">Validation accuracy of each exit, 1..M.</param>
/// <param name="FinalExitAccuracy">The final exit's validation accuracy (the full model's).</param>
public sealed record CalibrationSummary(
    [property: Description("Validation inputs the calibration was fitted on.")] int SampleCount,
    [property: Description("Validation accuracy of each exit, first to last.")] IReadOnlyList<double> ExitAccuracies,
    [property: Description("The final exit's validation accuracy (the full model's).")] double FinalExitAccuracy);
