using System.Globalization;
using EarlyExit.Cli.Terminal;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;

namespace EarlyExit.Cli.Evaluation;

/// <summary>The terminal table of an evaluation: one line per row, or only the key rows.</summary>
public static class EvaluationTable
{
    /// <summary>The speed-up whose tuned rows the key table shows: 2×.</summary>
    public const double KeySpeedup = 2.0;

    /// <summary>Writes the table.</summary>
    /// <param name="output">stdout.</param>
    /// <param name="result">The evaluation.</param>
    /// <param name="keyRowsOnly">Only the rows a reader compares first: each tuned family at 2×, BEEM's eq. 3
    /// thresholds, PCEE and PCEE-WS at the default δ, the full model (static k = M) and the oracles.</param>
    /// <param name="defaultDelta">The calibrated default δ (for the key rows).</param>
    public static void Write(TextWriter output, EvaluationResult result, bool keyRowsOnly = false, double? defaultDelta = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(result);
        var rows = result.Rows.Where(r => !keyRowsOnly || IsKey(r, result.ExitCount, defaultDelta)).Select(r => (IReadOnlyList<string>)
        [
            r.Policy,
            r.Parameter is { } p ? p.ToString("G4", CultureInfo.InvariantCulture) : "-",
            r.ChosenFor,
            Percent(r.Result.Accuracy),
            Percent(r.Result.Agreement),
            Percent(r.Result.MacroF1),
            r.Result.SpeedupRatio.ToString("F2", CultureInfo.InvariantCulture) + "×",
            Percent(r.Result.ExpectedCompute),
            Percent(r.Result.PrematureExitRate),
            Percent(r.Result.DelayedExitRate),
        ]).ToList();
        string agreement = result.PerExitAgreement.IsDefaultOrEmpty ? "" : "; agreement with the final exit per exit " + string.Join(" ", result.PerExitAgreement.Select(Percent));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.Split}: {result.SampleCount:N0} samples, final exit accuracy {Percent(result.FinalExitAccuracy)}, per exit {string.Join(" ", result.PerExitAccuracy.Select(Percent))}{agreement}"));
        TextTable.Write(output, ["policy", "param", "chosen for", "accuracy", "agreement", "macro-F1", "speed-up", "compute", "premature", "delayed"], rows);
        WriteDifficultyInversion(output, result);
    }

    /// <summary>The DIS table (docs/algorithms.md §4.5): how well each signal ranks right above wrong answers at each exit.</summary>
    private static void WriteDifficultyInversion(TextWriter output, EvaluationResult result)
    {
        if (result.DifficultyInversion.IsDefaultOrEmpty) return;
        output.WriteLine();
        output.WriteLine($"difficulty inversion score on {result.Split} (1 = the signal ranks every right answer above every wrong one, 0.5 = chance)");
        var rows = result.DifficultyInversion.Select((perSignal, m) => (IReadOnlyList<string>)
            [(m + 1).ToString(CultureInfo.InvariantCulture), .. perSignal.Select(d => double.IsFinite(d) ? d.ToString("F3", CultureInfo.InvariantCulture) : "-")]).ToList();
        TextTable.Write(output, ["exit", .. Enum.GetValues<ExitSignal>().Select(ThresholdPolicy.NameOf)], rows);
    }

    private static bool IsKey(EvaluationRow row, int exits, double? defaultDelta) => row.Selection switch
    {
        RowSelection.Speedup => row.Target == KeySpeedup,
        RowSelection.Delta or RowSelection.AgreementDelta => row.Target == defaultDelta,
        RowSelection.Layers => row.Parameter == exits,
        RowSelection.Agreement or RowSelection.AccuracyWithin => false, // in the full table; the key rows stay the 2× comparison
        RowSelection.LambdaSweep => false, // the sweep is in the full table
        _ => true,
    };

    private static string Percent(double value) =>
        double.IsFinite(value) ? (100 * value).ToString("F1", CultureInfo.InvariantCulture) + "%" : "-";
}
