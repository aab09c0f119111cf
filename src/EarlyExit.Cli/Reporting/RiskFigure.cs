using EarlyExit.Cli.Evaluation;
using EarlyExit.Core.RiskControl;
using ScottPlot;

namespace EarlyExit.Cli.Reporting;

/// <summary>
/// The risk-control figure: for each method, the share of resampled draws whose chosen setting
/// missed the target, against the target ε, with the line δ Learn-then-Test promises to stay under.
/// </summary>
internal static class RiskFigure
{
    /// <summary>Draws the figure as PNG bytes: solid lines on the pool, dashed for risk control on the test half.</summary>
    public static byte[] Draw(ResampleCheckResult check)
    {
        ArgumentNullException.ThrowIfNull(check);
        var plot = new Plot();
        foreach (string method in ResampleCheck.Methods)
        {
            var rows = check.Rows.Where(r => r.Method == method).OrderBy(r => r.Epsilon).ToArray();
            var pool = plot.Add.Scatter(rows.Select(r => 100 * r.Epsilon).ToArray(), rows.Select(r => 100 * r.PopulationViolationRate).ToArray());
            pool.LegendText = $"{method} (pool)";
            pool.LineWidth = method == ResampleCheck.RiskControlledName ? 3 : 1.5f;
            pool.MarkerSize = 7;
            if (method == ResampleCheck.RiskControlledName)
            {
                var half = plot.Add.Scatter(rows.Select(r => 100 * r.Epsilon).ToArray(), rows.Select(r => 100 * r.ViolationRate).ToArray());
                half.LegendText = $"{method} (test half)";
                half.LinePattern = LinePattern.Dashed;
                half.Color = pool.Color;
                half.MarkerSize = 5;
            }
        }
        var line = plot.Add.HorizontalLine(100 * check.Delta);
        line.LegendText = $"δ = {check.Delta:0.###}";
        line.Color = Colors.Black;
        line.LinePattern = LinePattern.Dotted;
        plot.Title($"How often each method misses its {RiskLimit.MeasureNames[(int)check.Measure]} target ({check.Rows[0].Draws} random halves of {check.PooledSamples:N0} samples)");
        plot.XLabel("target ε (%)");
        plot.YLabel("draws whose chosen setting exceeds ε (%)");
        // Room above the highest rate and above δ, so a rate near δ is readable.
        double top = check.Rows.Max(r => Math.Max(r.ViolationRate, r.PopulationViolationRate));
        plot.Axes.SetLimitsY(0, Math.Min(100, Math.Max(300 * check.Delta, (100 * top) + 5)));
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(ReportPlots.Width, ReportPlots.Height, ImageFormat.Png);
    }
}
