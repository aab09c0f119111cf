using System.Text;
using System.Text.Json;

namespace EarlyExit.Cli.Evaluation;

/// <summary>
/// The <c>--json</c> file of <c>evaluate</c>: the model and data it describes,
/// <c>final_exit_accuracy</c>, <c>per_exit_accuracy</c>, and one row per (policy, parameter) with
/// <c>policy, parameter, accuracy, macro_f1, speedup, expected_compute, premature_rate,
/// delayed_rate</c>, how the parameter was chosen and what it did on validation. A value that is
/// undefined (a rate without decision points, a policy without a parameter) is <c>null</c>.
/// </summary>
public static class EvaluationJson
{
    /// <summary>The format version written in the file.</summary>
    public const int FormatVersion = 1;

    /// <summary>The evaluation as indented UTF-8 JSON.</summary>
    /// <param name="result">What evaluate computed.</param>
    /// <param name="model">The model folder.</param>
    /// <param name="data">The data spec.</param>
    public static byte[] ToUtf8(EvaluationResult result, string model, string data)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("format_version", FormatVersion);
            json.WriteString("model", model);
            json.WriteString("data", data);
            json.WriteString("split", result.Split);
            json.WriteNumber("samples", result.SampleCount);
            json.WriteNumber("exits", result.ExitCount);
            json.WriteNumber("final_exit_accuracy", result.FinalExitAccuracy);
            json.WriteStartArray("per_exit_accuracy");
            foreach (double accuracy in result.PerExitAccuracy) json.WriteNumberValue(accuracy);
            json.WriteEndArray();
            json.WriteStartArray("per_exit_agreement");
            foreach (double agreement in result.PerExitAgreement.IsDefault ? [] : result.PerExitAgreement) json.WriteNumberValue(agreement);
            json.WriteEndArray();
            json.WriteStartArray("difficulty_inversion");
            foreach (var perSignal in result.DifficultyInversion.IsDefault ? [] : result.DifficultyInversion)
            {
                json.WriteStartObject();
                foreach (var (signal, value) in Enum.GetValues<Core.Signals.ExitSignal>().Zip(perSignal)) Number(json, Core.Policies.ThresholdPolicy.NameOf(signal), value);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteString("pcee_target", Core.Calibration.ExitCalibrationJson.TargetName(result.PceeTarget));
            json.WriteStartArray("rows");
            foreach (EvaluationRow row in result.Rows)
            {
                json.WriteStartObject();
                json.WriteString("policy", row.Policy);
                Number(json, "parameter", row.Parameter);
                Number(json, "accuracy", row.Result.Accuracy);
                Number(json, "agreement", row.Result.Agreement);
                Number(json, "macro_f1", row.Result.MacroF1);
                Number(json, "speedup", row.Result.SpeedupRatio);
                Number(json, "expected_compute", row.Result.ExpectedCompute);
                Number(json, "premature_rate", row.Result.PrematureExitRate);
                Number(json, "delayed_rate", row.Result.DelayedExitRate);
                json.WriteString("selection", JsonNamingPolicy.KebabCaseLower.ConvertName(row.Selection.ToString()));
                Number(json, "target", row.Target);
                json.WriteBoolean("target_met", row.TargetMet);
                Number(json, "validation_accuracy", row.Validation.Accuracy);
                Number(json, "validation_agreement", row.Validation.Agreement);
                Number(json, "validation_speedup", row.Validation.SpeedupRatio);
                json.WriteBoolean("deployable", row.Result.IsDeployable);
                json.WriteStartArray("exit_counts");
                foreach (int count in row.Result.ExitCounts) json.WriteNumberValue(count);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>The evaluation as a JSON string.</summary>
    /// <inheritdoc cref="ToUtf8"/>
    public static string ToJson(EvaluationResult result, string model, string data) => Encoding.UTF8.GetString(ToUtf8(result, model, data));

    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) json.WriteNumber(name, v);
        else json.WriteNull(name);
    }
}
