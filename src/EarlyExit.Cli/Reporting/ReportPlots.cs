using EarlyExit.Cli.Evaluation;
using EarlyExit.Core.Calibration;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Policies;
using ScottPlot;

namespace EarlyExit.Cli.Reporting;

/// <summary>The report's plots, drawn with ScottPlot as PNG bytes.</summary>
public static class ReportPlots
{
    /// <summary>Width of every plot, pixels.</summary>
    public const int Width = 900;

    /// <summary>Height of every plot, pixels.</summary>
    public const int Height = 560;

    /// <summary>
    /// Accuracy against speed-up ratio on the reported split for every policy on one chart: each
    /// family's curve over its whole grid, static-k as a line through k = 1..M, the oracles as
    /// single markers.
    /// </summary>
    /// <param name="result">The evaluation.</param>
    public static byte[] Tradeoff(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var plot = new Plot();
        foreach (TradeoffCurve curve in result.Curves)
        {
            // Order by speed-up so the line reads left to right; keep each point's accuracy.
            var points = curve.Points.OrderBy(p => p.SpeedupRatio).ThenBy(p => p.Accuracy).ToArray();
            var scatter = plot.Add.Scatter(points.Select(p => p.SpeedupRatio).ToArray(), points.Select(p => 100 * p.Accuracy).ToArray());
            scatter.LegendText = curve.PolicyName;
            scatter.MarkerSize = curve.PolicyName == "static" ? 8 : 3;
            scatter.LineWidth = curve.PolicyName == "static" ? 2.5f : 1.5f;
            if (curve.PolicyName == "static") scatter.LinePattern = LinePattern.Dashed;
        }
        MarkerShape[] shapes = [MarkerShape.FilledDiamond, MarkerShape.FilledTriangleUp];
        int shape = 0;
        foreach (EvaluationRow row in result.Rows.Where(r => r.Selection == RowSelection.Bound))
        {
            var marker = plot.Add.Marker(row.Result.SpeedupRatio, 100 * row.Result.Accuracy, shapes[shape++ % shapes.Length], 14);
            marker.LegendText = row.Policy;
            marker.Color = Colors.Black;
        }
        plot.Title($"Accuracy vs speed-up on {result.Split} ({result.SampleCount:N0} samples)");
        plot.XLabel("speed-up ratio (layers of the full model / layers run)");
        plot.YLabel("accuracy (%)");
        double lowest = result.Curves.SelectMany(c => c.Points).Select(p => p.Accuracy).Append(result.PerExitAccuracy.Min()).Min();
        double highest = result.Curves.SelectMany(c => c.Points).Select(p => p.Accuracy)
            .Concat(result.Rows.Select(r => r.Result.Accuracy)).Max();
        plot.Axes.SetLimits(0.9, result.ExitCount + 0.1, Math.Max(0, 100 * lowest - 2), Math.Min(100.5, 100 * highest + 2));
        plot.ShowLegend(Alignment.LowerLeft);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>
    /// One exit's reliability diagram: validation accuracy per confidence bin (the bars PCEE
    /// exits on), the reported split's accuracy per bin (dots), and the perfectly calibrated y = x.
    /// </summary>
    /// <param name="exitIndex">0-based exit.</param>
    /// <param name="validation">The calibration's diagram of this exit.</param>
    /// <param name="reported">The same exit's diagram on the reported split.</param>
    /// <param name="split">The reported split's name.</param>
    public static byte[] Reliability(int exitIndex, ReliabilityDiagram validation, ReliabilityDiagram reported, string split)
    {
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(reported);
        var plot = new Plot();
        int bins = validation.BinCount;
        double width = 1.0 / bins;
        var bars = new List<Bar>();
        for (int b = 0; b < bins; b++)
        {
            if (validation.Counts[b] == 0) continue;
            bars.Add(new Bar { Position = (b + 0.5) * width, Value = validation.BinAccuracies[b], Size = width * 0.9, FillColor = Colors.SteelBlue.WithAlpha(0.7) });
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.LegendText = "validation (calibration)";
        var xs = new List<double>();
        var ys = new List<double>();
        for (int b = 0; b < reported.BinCount; b++)
        {
            if (reported.Counts[b] == 0) continue;
            xs.Add((b + 0.5) / reported.BinCount);
            ys.Add(reported.BinAccuracies[b]);
        }
        if (xs.Count > 0)
        {
            var dots = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray());
            dots.LegendText = split;
            dots.MarkerSize = 10;
            dots.Color = Colors.OrangeRed;
        }
        var diagonal = plot.Add.Line(0, 0, 1, 1);
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.Color = Colors.Gray;
        diagonal.LegendText = "y = x";
        plot.Title($"Reliability diagram, exit {exitIndex + 1}");
        plot.XLabel("confidence (max-prob)");
        plot.YLabel("accuracy");
        plot.Axes.SetLimits(0, 1, 0, 1.02);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot.GetImageBytes(Width / 2, Height * 3 / 4, ImageFormat.Png);
    }

    /// <summary>How many samples leave at each exit layer under one policy.</summary>
    /// <param name="evaluation">The policy's evaluation.</param>
    /// <param name="title">What the policy is.</param>
    public static byte[] ExitHistogram(PolicyEvaluation evaluation, string title)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var plot = new Plot();
        var bars = evaluation.ExitCounts.Select((count, m) => new Bar
        {
            Position = m + 1,
            Value = count,
            Size = 0.8,
            FillColor = Colors.SteelBlue,
            Label = count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).ToList();
        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 14;
        plot.Title(title);
        plot.XLabel("exit layer");
        plot.YLabel("samples");
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(1, evaluation.ExitCount).Select(m => (double)m)],
            [.. Enumerable.Range(1, evaluation.ExitCount).Select(m => m.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        plot.Axes.SetLimits(0.4, evaluation.ExitCount + 0.6, 0, Math.Max(1, evaluation.ExitCounts.Max()) * 1.12);
        return plot.GetImageBytes(Width, Height * 3 / 4, ImageFormat.Png);
    }

    /// <summary>PCEE's promise: target accuracy δ against the accuracy realised on the reported split, with y = x.</summary>
    /// <param name="result">The evaluation (its PCEE and PCEE-WS curves are swept over δ).</param>
    public static byte[] PceeControl(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var plot = new Plot();
        double lowest = 1;
        foreach (TradeoffCurve curve in result.Curves.Where(c => c.PolicyName is PceePolicy.PlainName or PceePolicy.SmoothedName))
        {
            ControlError[] errors = ControlError.ForCurve(curve, result.PceeTarget == Core.Calibration.PceeTarget.Agreement);
            var scatter = plot.Add.Scatter(errors.Select(e => e.Target).ToArray(), errors.Select(e => e.Realised).ToArray());
            scatter.LegendText = curve.PolicyName;
            scatter.MarkerSize = 3;
            lowest = Math.Min(lowest, errors.Min(e => Math.Min(e.Target, e.Realised)));
        }
        var diagonal = plot.Add.Line(0, 0, 1, 1);
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.Color = Colors.Gray;
        diagonal.LegendText = "y = x (promise kept on the line and above)";
        var final = plot.Add.HorizontalLine(result.FinalExitAccuracy);
        final.LinePattern = LinePattern.Dotted;
        final.Color = Colors.Green;
        final.LegendText = "final exit accuracy";
        string measure = result.PceeTarget == Core.Calibration.PceeTarget.Agreement ? "agreement" : "accuracy";
        plot.Title($"PCEE: target {measure} δ vs {measure} realised on {result.Split}");
        plot.XLabel($"target {measure} δ");
        plot.YLabel($"realised {measure} on {result.Split}");
        plot.Axes.SetLimits(Math.Max(0, lowest - 0.02), 1.0, Math.Max(0, lowest - 0.02), 1.005);
        // Lower right: below y = x at high δ, where the curves rarely go.
        plot.ShowLegend(Alignment.LowerRight);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }
}
