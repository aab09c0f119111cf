using System.Globalization;
using EarlyExit.Cli.Terminal;

namespace EarlyExit.Cli.Evaluation;

/// <summary>Prints a <see cref="PceeComparison"/>: the evidence for (or against) PCEE's claim, as two plain-text tables.</summary>
public static class ComparisonTable
{
    /// <summary>Writes both tables and a one-line verdict.</summary>
    /// <param name="output">stdout.</param>
    /// <param name="comparison">The comparison.</param>
    /// <param name="split">The reported split's name.</param>
    public static void Write(TextWriter output, PceeComparison comparison, string split)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(comparison);
        var c = comparison;
        output.WriteLine();
        output.WriteLine(Invariant($"PCEE's claim on {split}: this model with early exits vs {c.CompareModel} at full depth (parameters chosen on validation)"));
        output.WriteLine(Invariant($"small model, full depth: error {100 * (1 - c.CompareAccuracy):F2}% at {Mega(c.CompareFlops)} MFLOPs/input; this model, full depth: error {100 * (1 - c.FullModelAccuracy):F2}% at {Mega(c.FullModelFlops)} MFLOPs/input"));
        TextTable.Write(output, ["policy", "chosen for", "param", "error", "MFLOPs/input", "× small's FLOPs"],
            [.. c.Points.Select(p => (IReadOnlyList<string>)
            [
                p.Policy, p.Goal,
                p.Parameter is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "-",
                p.Found ? Invariant($"{100 * p.Error:F2}%") : "none",
                p.Found ? Mega(p.Flops) : "-",
                p.Found ? Invariant($"{p.Flops / c.CompareFlops:F2}") : "-",
            ])]);
        ComparisonPoint? best = c.Points.Where(p => p.Goal == PceeComparison.AtSmallCost && p.Found).MinBy(p => p.Error);
        output.WriteLine(best is null
            ? "verdict: no deployable policy of this model runs within the small model's FLOPs on validation"
            : Invariant($"verdict: at ≤ the small model's FLOPs, {best.Policy} errs {100 * best.Error:F2}% vs the small model's {100 * (1 - c.CompareAccuracy):F2}%: PCEE's claim {(best.Error < 1 - c.CompareAccuracy ? "holds" : "does not hold")} here"));
        output.WriteLine();
        output.WriteLine("δ vs realised accuracy (PCEE promises ≥ δ; max-prob uses τ = δ as if confidence were accuracy):");
        TextTable.Write(output, ["δ", "pcee", "MFLOPs", "pcee-ws", "MFLOPs", "max-prob τ=δ", "MFLOPs"],
            [.. c.Deltas.Select(d => (IReadOnlyList<string>)
            [
                d.Delta.ToString("0.00", CultureInfo.InvariantCulture),
                Percent(d.Pcee), Mega(d.Pcee.Flops), Percent(d.PceeWs), Mega(d.PceeWs.Flops), Percent(d.MaxProb), Mega(d.MaxProb.Flops),
            ])]);
    }

    private static string Percent(ComparisonPoint p) => Invariant($"{100 * p.Accuracy:F2}%");

    private static string Mega(double flops) => (flops / 1e6).ToString("F2", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
