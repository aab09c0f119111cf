using System.Collections.Immutable;
using System.Globalization;
using EarlyExit.Cli.Terminal;
using EarlyExit.Core.RiskControl;

namespace EarlyExit.Cli.Evaluation;

/// <summary>Prints the resampling check (<see cref="ResampleCheck"/>): violation rate and speed-up per method and target.</summary>
internal static class ResampleTable
{
    /// <summary>Writes the table and a line saying whether risk control kept its promise.</summary>
    /// <param name="output">stdout.</param>
    /// <param name="check">The check's rows and settings.</param>
    internal static void Write(TextWriter output, ResampleCheckResult check)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(check);
        (ImmutableArray<ResampleResult> results, RiskMeasure measure, double delta, int pooled) = (check.Rows, check.Measure, check.Delta, check.PooledSamples);
        if (results.IsDefaultOrEmpty) return;
        int draws = results[0].Draws;
        output.WriteLine();
        output.WriteLine(Invariant($"risk control, checked: {draws} random halves of the {pooled:N0} pooled validation + test samples; each method calibrated on one half, its {RiskLimit.MeasureNames[(int)measure]} measured on the other"));
        output.WriteLine(Invariant($"violations: test half = its risk > ε (noisy: the half is a finite sample, drawn against the calibration half); pool = the chosen setting's risk on all pooled samples > ε, the event Learn-then-Test keeps ≤ δ = {delta:0.###}"));
        TextTable.Write(output, ["ε", "method", "violations (test half)", "violations (pool)", "mean test risk", "speed-up", "full model"],
            [.. results.Select(r => (IReadOnlyList<string>)
            [
                r.Epsilon.ToString("0.###", CultureInfo.InvariantCulture),
                r.Method,
                Invariant($"{100 * r.ViolationRate:F1}%"),
                Invariant($"{100 * r.PopulationViolationRate:F1}%"),
                Invariant($"{100 * r.MeanTestRisk:F2}%"),
                Invariant($"{r.MeanSpeedup:F2}×"),
                r.Method == ResampleCheck.RiskControlledName ? Invariant($"{100 * r.FellBackRate:F0}% of draws") : "-",
            ])]);
        // The bound the check can hold it to: δ plus 3 standard errors of a rate of δ over R draws.
        double allowed = delta + (3 * Math.Sqrt(delta * (1 - delta) / draws));
        var controlled = results.Where(r => r.Method == ResampleCheck.RiskControlledName).ToList();
        var worst = controlled.MaxBy(r => r.PopulationViolationRate)!;
        var worstTest = controlled.MaxBy(r => r.ViolationRate)!;
        output.WriteLine(Invariant($"verdict: risk control's chosen setting exceeded ε on the pool in at most {100 * worst.PopulationViolationRate:F1}% of draws (ε = {worst.Epsilon:0.###}): {(worst.PopulationViolationRate <= allowed ? "within" : "ABOVE")} δ = {delta:0.###} + 3 standard errors ({100 * allowed:F1}%); on the test half, at most {100 * worstTest.ViolationRate:F1}% (ε = {worstTest.Epsilon:0.###})"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
