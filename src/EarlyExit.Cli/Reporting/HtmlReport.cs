using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using EarlyExit.Cli.Evaluation;
using EarlyExit.Core.IO;
using EarlyExit.Core.Calibration;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Policies;

namespace EarlyExit.Cli.Reporting;

/// <summary>
/// Writes the report folder: <c>index.html</c>, self-contained (the plots are embedded as
/// data URIs, so the one file can be mailed), and the same plots as PNG files beside it:
/// <c>tradeoff.png</c>, <c>reliability-exit-M.png</c>, <c>exit-histogram.png</c>,
/// <c>pcee-control.png</c>, <c>pcee-error-vs-flops.png</c> and, with <c>--resample</c>,
/// <c>risk-violations.png</c>. Every plot has its numbers in a table beside it.
/// </summary>
internal static class HtmlReport
{
    /// <summary>The page's file name.</summary>
    public const string IndexFileName = "index.html";

    /// <summary>Writes the report and returns the path of <c>index.html</c>.</summary>
    /// <param name="folder">The report folder (created; files in it are replaced).</param>
    /// <param name="evaluation">The evaluated model.</param>
    /// <param name="modelPath">The model folder, for the page.</param>
    /// <param name="data">The data spec, for the page.</param>
    /// <param name="trainingLog">The model's training.json, or null.</param>
    /// <param name="comparison">A smaller model's full-depth point for PCEE's figure and tables, or null.</param>
    /// <param name="check">The risk-control check (<c>--resample</c>), or null.</param>
    internal static string Write(string folder, ModelEvaluation evaluation, string modelPath, string data, JsonObject? trainingLog,
        PceeComparison? comparison = null, ResampleCheckResult? check = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(evaluation);
        Directory.CreateDirectory(folder);
        // Each plot is written atomically and index.html last, so a killed report leaves plots the
        // old page may not match, and the same command rewrites them all; only the temporary file
        // of the write it was killed in stays behind, removed here.
        AtomicFile.RemoveLeftovers(folder);
        EvaluationResult result = evaluation.Result;
        ExitCalibration calibration = evaluation.Calibration;
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>EarlyExit report</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1400px; color: #222; }
            section { display: flex; flex-wrap: wrap; gap: 2em; align-items: flex-start; margin-bottom: 2.5em; }
            img { max-width: 100%; border: 1px solid #ddd; }
            table { border-collapse: collapse; font-size: 0.85em; }
            th, td { padding: 0.2em 0.6em; border-bottom: 1px solid #eee; text-align: right; }
            th:first-child, td:first-child { text-align: left; }
            .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 1em; width: 100%; }
            .note { color: #555; max-width: 60em; }
            </style></head><body>
            <h1>EarlyExit report</h1>
            """);
        html.Append(CultureInfo.InvariantCulture, $"<p>Model <code>{E(modelPath)}</code>, data <code>{E(data)}</code>. ");
        html.Append(CultureInfo.InvariantCulture, $"Reported on the <b>{E(result.Split)}</b> split ({result.SampleCount:N0} samples); every parameter was chosen on the validation split ({evaluation.Validation.SampleCount:N0} samples), which also built the reliability diagrams. ");
        html.Append(CultureInfo.InvariantCulture, $"Final exit accuracy (no early exit): <b>{P(result.FinalExitAccuracy)}</b>.</p>");
        if (trainingLog is not null)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<p class=\"note\">Training: objective {E((string?)trainingLog["objective"] ?? "?")}, {trainingLog["train_examples"]} training examples, {(trainingLog["max_length"] is { } length ? $"≤ {length} tokens" : $"model {trainingLog["model"]}")}, {trainingLog["epochs"]} epoch(s), learning rate {trainingLog["learning_rate"]}, {(((bool?)trainingLog["freeze_backbone"]) == true ? "backbone frozen, " : "")}{trainingLog["seconds"]} s.</p>");
        }

        // 1. Trade-off.
        string tradeoff = Plot(folder, "tradeoff.png", ReportPlots.Tradeoff(result));
        html.Append("<h2>Accuracy vs speed-up, every policy</h2><section>");
        html.Append(Image(tradeoff, "accuracy vs speed-up"));
        html.Append("<div><p class=\"note\">Curves: each policy over its whole parameter grid (built on validation), measured on ")
            .Append(E(result.Split)).Append(". Speed-up ratio = Σ M·N<sub>m</sub> / Σ m·N<sub>m</sub> (layers); compute = FLOPs run, exit heads included, as a share of the plain model. Table: the parameters chosen on validation for speed-ups 1.5×, 2×, 3×, PCEE's δ grid, every k, and the oracles.</p>");
        html.Append(RowsTable(result)).Append("</div></section>");

        // 2. Reliability diagrams.
        var reported = ReliabilityDiagrams.Build(evaluation.Reported.Signals, evaluation.Reported.Trace.Labels, result.ExitCount, calibration.Diagrams[0].BinCount);
        var eceValidation = ExpectedCalibrationError.PerExit(evaluation.Validation.Signals, evaluation.Validation.Trace.Labels, result.ExitCount);
        var eceReported = ExpectedCalibrationError.PerExit(evaluation.Reported.Signals, evaluation.Reported.Trace.Labels, result.ExitCount);
        html.Append("<h2>Reliability diagram of each exit</h2><section><div class=\"grid\">");
        for (int m = 0; m < result.ExitCount; m++)
        {
            string file = Plot(folder, $"reliability-exit-{m + 1}.png", ReportPlots.Reliability(m, calibration.Diagrams[m], reported[m], result.Split));
            html.Append(Image(file, $"reliability diagram of exit {m + 1}"));
        }
        html.Append("</div><div><table><tr><th>exit</th><th>validation accuracy</th><th>")
            .Append(E(result.Split)).Append(" accuracy</th><th>ECE validation</th><th>ECE ").Append(E(result.Split)).Append("</th><th>BEEM-C α</th><th>BEEM-A α</th></tr>");
        for (int m = 0; m < result.ExitCount; m++)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{m + 1}</td><td>{P(calibration.ExitAccuracies[m])}</td><td>{P(result.PerExitAccuracy[m])}</td><td>{eceValidation[m]:F3}</td><td>{eceReported[m]:F3}</td><td>{Alpha(calibration.BeemCost.Exits[m].Threshold)}</td><td>{Alpha(calibration.BeemAccuracy.Exits[m].Threshold)}</td></tr>");
        }
        html.Append("</table><p class=\"note\">Bars: accuracy of the validation samples per max-prob bin (what PCEE exits on). Dots: the same on ")
            .Append(E(result.Split)).Append(". ECE with 15 bins. BEEM α from validation error rates (eq. 3); “never” = no threshold met the final exit's error rate.</p></div></section>");

        // 2b. Difficulty inversion score per exit and signal (docs/algorithms.md §4.5).
        if (!result.DifficultyInversion.IsDefaultOrEmpty)
        {
            html.Append("<h2>Difficulty inversion score</h2><section><div><table><tr><th>exit</th>");
            foreach (var signal in Enum.GetValues<Core.Signals.ExitSignal>()) html.Append("<th>").Append(E(ThresholdPolicy.NameOf(signal))).Append("</th>");
            html.Append("</tr>");
            for (int m = 0; m < result.ExitCount; m++)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{m + 1}</td>");
                foreach (double d in result.DifficultyInversion[m]) html.Append(CultureInfo.InvariantCulture, $"<td>{(double.IsFinite(d) ? d.ToString("F3", CultureInfo.InvariantCulture) : "-")}</td>");
                html.Append("</tr>");
            }
            html.Append("</table><p class=\"note\">On ").Append(E(result.Split))
                .Append(": the probability that a right answer of the exit looks easier to the signal than a wrong one (ties half). 1 = the signal separates them perfectly, 0.5 = chance, below 0.5 = inverted (COSEE's measure).</p></div></section>");
        }

        // 3. Exit histogram of the default policy.
        PolicySpec defaultSpec = calibration.DefaultPolicy;
        EvaluationRow? defaultRow = result.Rows.FirstOrDefault(r => r.Policy == defaultSpec.Name && r.Parameter == defaultSpec.Parameter);
        PolicyEvaluation defaultEvaluation = defaultRow?.Result
            ?? evaluation.Reported.Evaluate(PolicyCatalog.Create(defaultSpec, calibration, result.ExitCount));
        string histogram = Plot(folder, "exit-histogram.png",
            ReportPlots.ExitHistogram(defaultEvaluation, $"Where {result.Split} samples exit under the default policy {defaultSpec}"));
        html.Append("<h2>Exit layers under the default policy</h2><section>").Append(Image(histogram, "exit-layer histogram"));
        html.Append("<div><table><tr><th>exit layer</th><th>samples</th><th>share</th></tr>");
        for (int m = 0; m < defaultEvaluation.ExitCount; m++)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{m + 1}</td><td>{defaultEvaluation.ExitCounts[m]}</td><td>{P((double)defaultEvaluation.ExitCounts[m] / defaultEvaluation.SampleCount)}</td></tr>");
        }
        html.Append(CultureInfo.InvariantCulture,
            $"</table><p class=\"note\">Default policy {E(defaultSpec.ToString())}: accuracy {P(defaultEvaluation.Accuracy)}, speed-up {defaultEvaluation.SpeedupRatio:F2}×, compute {P(defaultEvaluation.ExpectedCompute)} of the plain model.</p></div></section>");

        // 4. PCEE control.
        string control = Plot(folder, "pcee-control.png", ReportPlots.PceeControl(result));
        html.Append("<h2>PCEE: does the realised accuracy meet the target δ?</h2><section>").Append(Image(control, "PCEE target vs realised accuracy"));
        html.Append("<div>").Append(ControlTable(result)).Append("<p class=\"note\">Shortfall = max(0, δ − realised accuracy). PCEE promises an accuracy of at least δ; above the final exit's accuracy no policy can keep it.</p></div></section>");

        // 5. PCEE's figure 1: error vs FLOPs, with the smaller model's full-depth point.
        string figure = Plot(folder, "pcee-error-vs-flops.png", PceeFigure.Draw(evaluation, comparison));
        html.Append("<h2>Error vs compute (PCEE's figure 1)</h2><section>").Append(Image(figure, "error vs average FLOPs per input"));
        if (comparison is not null)
        {
            using var text = new StringWriter(CultureInfo.InvariantCulture);
            ComparisonTable.Write(text, comparison, result.Split);
            html.Append("<div><pre>").Append(E(text.ToString())).Append("</pre></div>");
        }
        html.Append("</section>");

        // 6. Risk control, checked by resampling (docs/algorithms.md §5).
        if (check is not null)
        {
            string risk = Plot(folder, "risk-violations.png", RiskFigure.Draw(check));
            using var text = new StringWriter(CultureInfo.InvariantCulture);
            ResampleTable.Write(text, check);
            html.Append("<h2>Risk control: how often is the target missed?</h2><section>").Append(Image(risk, "violation rate against target"));
            html.Append("<div><pre>").Append(E(text.ToString())).Append("</pre></div></section>");
        }

        html.Append("</body></html>\n");
        string index = Path.Combine(folder, IndexFileName);
        AtomicFile.WriteAllText(index, html.ToString());
        return Path.GetFullPath(index);
    }

    private static string RowsTable(EvaluationResult result)
    {
        var html = new StringBuilder("<table><tr><th>policy</th><th>param</th><th>chosen for</th><th>accuracy</th><th>macro-F1</th><th>speed-up</th><th>compute</th><th>premature</th><th>delayed</th></tr>");
        foreach (EvaluationRow row in result.Rows)
        {
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{E(row.Policy)}</td><td>{(row.Parameter is { } p ? p.ToString("G4", CultureInfo.InvariantCulture) : "–")}</td><td>{E(row.ChosenFor)}</td><td>{P(row.Result.Accuracy)}</td><td>{P(row.Result.MacroF1)}</td><td>{row.Result.SpeedupRatio:F2}×</td><td>{P(row.Result.ExpectedCompute)}</td><td>{P(row.Result.PrematureExitRate)}</td><td>{P(row.Result.DelayedExitRate)}</td></tr>");
        }
        return html.Append("</table>").ToString();
    }

    private static string ControlTable(EvaluationResult result)
    {
        var curves = result.Curves.Where(c => c.PolicyName is PceePolicy.PlainName or PceePolicy.SmoothedName).ToList();
        var html = new StringBuilder("<table><tr><th>δ</th>");
        foreach (var curve in curves) html.Append(CultureInfo.InvariantCulture, $"<th>{E(curve.PolicyName)} realised</th><th>shortfall</th><th>speed-up</th>");
        html.Append("</tr>");
        if (curves.Count == 0) return html.Append("</table>").ToString();
        ControlError[][] errors = [.. curves.Select(c => ControlError.ForCurve(c, result.PceeTarget == Core.Calibration.PceeTarget.Agreement))];
        for (int i = 0; i < curves[0].Grid.Length; i += 10) // every 0.05 of the 0.005 grid
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{curves[0].Grid[i]:F2}</td>");
            for (int c = 0; c < curves.Count; c++)
            {
                html.Append(CultureInfo.InvariantCulture, $"<td>{P(errors[c][i].Realised)}</td><td>{P(errors[c][i].Shortfall)}</td><td>{curves[c].Points[i].SpeedupRatio:F2}×</td>");
            }
            html.Append("</tr>");
        }
        return html.Append("</table>").ToString();
    }

    private static string Plot(string folder, string name, byte[] png)
    {
        AtomicFile.WriteAllBytes(Path.Combine(folder, name), png);
        return $"data:image/png;base64,{Convert.ToBase64String(png)}";
    }

    private static string Image(string source, string alt) => $"<img src=\"{source}\" alt=\"{E(alt)}\">";

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string P(double value) => double.IsFinite(value) ? (100 * value).ToString("F1", CultureInfo.InvariantCulture) + "%" : "–";

    private static string Alpha(double alpha) => double.IsFinite(alpha) ? alpha.ToString("G3", CultureInfo.InvariantCulture) : "never";
}
