using EarlyExit.Cli.Evaluation;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Policies;
using ScottPlot;

namespace EarlyExit.Cli.Reporting;

/// <summary>
/// PCEE's figure 1: test error (%) against average FLOPs per input, one point per (policy, δ or τ)
/// of the model for PCEE, PCEE-WS and the max-prob threshold, the oracle as one marker, and — when
/// a smaller model is given — its full-depth point, which early exits should beat at equal cost.
/// </summary>
public static class PceeFigure
{
    /// <summary>Draws the figure as PNG bytes.</summary>
    /// <param name="evaluation">The model's evaluation; FLOPs come from its reported trace.</param>
    /// <param name="comparison">The smaller model's point, or null.</param>
    public static byte[] Draw(ModelEvaluation evaluation, PceeComparison? comparison)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        EvaluationResult result = evaluation.Result;
        TraceEvaluator reported = evaluation.Reported;
        var plot = new Plot();
        foreach (TradeoffCurve curve in result.Curves.Where(c => PceeComparison.Policies.Contains(c.PolicyName)))
        {
            var points = curve.Points.OrderBy(p => p.ExpectedCompute).ToArray();
            var scatter = plot.Add.Scatter(
                points.Select(p => PceeComparison.Flops(p, reported) / 1e6).ToArray(),
                points.Select(p => 100 * (1 - p.Accuracy)).ToArray());
            scatter.LegendText = curve.PolicyName == "max-prob" ? "max-prob threshold τ" : $"{curve.PolicyName} δ";
            scatter.MarkerSize = 4;
            scatter.LineWidth = 1.5f;
        }
        if (result.Rows.FirstOrDefault(r => r.Policy == "oracle") is { } oracle)
        {
            var marker = plot.Add.Marker(PceeComparison.Flops(oracle.Result, reported) / 1e6, 100 * (1 - oracle.Result.Accuracy), MarkerShape.FilledDiamond, 14);
            marker.LegendText = "oracle (hindsight)";
            marker.Color = Colors.Black;
        }
        var full = plot.Add.Marker(reported.Trace.FullModelFlops / 1e6, 100 * (1 - result.FinalExitAccuracy), MarkerShape.FilledSquare, 12);
        full.LegendText = "this model, full depth";
        full.Color = Colors.Gray;
        if (comparison is not null)
        {
            var small = plot.Add.Marker(comparison.CompareFlops / 1e6, 100 * (1 - comparison.CompareAccuracy), MarkerShape.FilledTriangleUp, 16);
            small.LegendText = $"{Path.GetFileName(comparison.CompareModel)}, full depth";
            small.Color = Colors.Red;
        }
        plot.Title($"Error vs compute on {result.Split} ({result.SampleCount:N0} samples)");
        plot.XLabel("average MFLOPs per input (exit heads included)");
        plot.YLabel("error (%)");
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(ReportPlots.Width, ReportPlots.Height, ImageFormat.Png);
    }
}
