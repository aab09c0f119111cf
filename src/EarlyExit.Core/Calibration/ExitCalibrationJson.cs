using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using EarlyExit.Core.Catalog;

namespace EarlyExit.Core.Calibration;

/// <summary>
/// Reads and writes an <see cref="ExitCalibration"/> as JSON (stored beside a model's weights).
/// </summary>
/// <remarks>
/// Diagrams are stored as their counts (the accuracies and the empty-bin rule are rebuilt by
/// <see cref="ReliabilityDiagram.FromCounts"/>); infinite BEEM thresholds ("never exit here") are
/// written as the JSON string "Infinity". Reading checks every field and names the bad one.
/// </remarks>
public static class ExitCalibrationJson
{
    /// <summary>The format version this code writes and reads.</summary>
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
    };

    /// <summary>The calibration as a JSON object.</summary>
    public static JsonObject ToJsonObject(ExitCalibration calibration)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        var dto = new CalibrationDto(
            FormatVersion,
            calibration.SampleCount,
            [.. calibration.ExitAccuracies],
            [.. calibration.Diagrams.Select(d => new DiagramDto([.. d.Counts], [.. d.CorrectCounts]))],
            Beem(calibration.BeemCost),
            Beem(calibration.BeemAccuracy),
            new PolicyDto(calibration.DefaultPolicy.Name, calibration.DefaultPolicy.Parameter),
            calibration.Target == PceeTarget.Correctness ? null : TargetName(calibration.Target),
            calibration.RiskControl is { } risk ? RiskControlJson.ToDto(risk) : null,
            calibration.PceeWsHalfWidth == ExitCalibration.DefaultPceeWsHalfWidth ? null : calibration.PceeWsHalfWidth);
        return JsonSerializer.SerializeToNode(dto, Options)!.AsObject();
    }

    /// <summary>The calibration as indented JSON text.</summary>
    public static string ToJson(ExitCalibration calibration) => ToJsonObject(calibration).ToJsonString(Options);

    /// <summary>Reads a calibration from JSON text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">Where it came from (a file path), for error messages.</param>
    /// <exception cref="InvalidDataException">Malformed JSON, a wrong version, or a missing or
    /// invalid field; the message names the source and the field.</exception>
    public static ExitCalibration FromJson(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: calibration is not valid JSON: {e.Message}", e);
        }
        return FromJsonObject(node as JsonObject ?? throw new InvalidDataException($"{source}: calibration must be a JSON object"), source);
    }

    /// <summary>Reads a calibration from a JSON object.</summary>
    /// <inheritdoc cref="FromJson"/>
    public static ExitCalibration FromJsonObject(JsonObject json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        CalibrationDto? dto;
        try
        {
            dto = json.Deserialize<CalibrationDto>(Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: calibration field {e.Path ?? "?"} is invalid: {e.Message}", e);
        }
        if (dto is null) throw new InvalidDataException($"{source}: calibration is empty");
        if (dto.FormatVersion != FormatVersion)
            throw new InvalidDataException($"{source}: calibration format_version is {dto.FormatVersion}; this EarlyExit reads version {FormatVersion}");
        try
        {
            var diagrams = Required(dto.Diagrams, "diagrams")
                .Select((d, m) => ReliabilityDiagram.FromCounts(Required(d.Counts, $"diagrams[{m}].counts"), Required(d.Correct, $"diagrams[{m}].correct")))
                .ToImmutableArray();
            var policy = Required(dto.DefaultPolicy, "default_policy");
            // Absent in calibrations written before agreement existed: those counted correctness.
            PceeTarget target = dto.PceeTarget is null ? PceeTarget.Correctness
                : Enum.GetValues<PceeTarget>().FirstOrDefault(t => TargetName(t) == dto.PceeTarget, (PceeTarget)(-1));
            if (!Enum.IsDefined(target))
                throw new ArgumentException($"field 'pcee_target' must be one of {string.Join(", ", Enum.GetValues<PceeTarget>().Select(TargetName))}; got '{dto.PceeTarget}'");
            return new ExitCalibration(dto.SampleCount, [.. Required(dto.ExitAccuracies, "exit_accuracies")], diagrams,
                Beem(Required(dto.BeemCost, "beem_cost"), "beem_cost"), Beem(Required(dto.BeemAccuracy, "beem_accuracy"), "beem_accuracy"),
                new PolicySpec(Required(policy.Name, "default_policy.name"), policy.Parameter))
            {
                Target = target,
                // Absent in calibrations written without --risk.
                RiskControl = dto.RiskControl is { } risk ? RiskControlJson.FromDto(risk) : null,
                // Absent when it is the default (and in calibrations written before it was an option).
                PceeWsHalfWidth = dto.PceeWsHalfWidth ?? ExitCalibration.DefaultPceeWsHalfWidth,
            };
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{source}: calibration is inconsistent: {e.Message}", e);
        }
    }

    /// <summary>"correctness" or "agreement": the JSON name of a target.</summary>
    public static string TargetName(PceeTarget target) => target.ToString().ToLowerInvariant();

    private static T Required<T>(T? value, string field) where T : class =>
        value ?? throw new ArgumentException($"field '{field}' is missing");

    private static BeemDto Beem(BeemThresholdFit fit) => new(fit.FinalExitError, fit.MinCount, [.. fit.Weights],
        [.. fit.Exits.Select(e => new BeemExitDto(e.Threshold, e.ErrorRate, e.StoppingCount, e.ReachingCount))]);

    private static BeemThresholdFit Beem(BeemDto dto, string field) => new(dto.FinalExitError,
        [.. Required(dto.Weights, $"{field}.weights")],
        [.. Required(dto.Exits, $"{field}.exits").Select(e => new BeemExitThreshold(e.Threshold, e.ErrorRate, e.StoppingCount, e.ReachingCount))],
        dto.MinCount);

    private sealed record CalibrationDto(int FormatVersion, int SampleCount, double[]? ExitAccuracies, DiagramDto[]? Diagrams,
        BeemDto? BeemCost, BeemDto? BeemAccuracy, PolicyDto? DefaultPolicy,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PceeTarget = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RiskControlJson.RiskControlDto? RiskControl = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? PceeWsHalfWidth = null);

    private sealed record DiagramDto(int[]? Counts, int[]? Correct);

    private sealed record BeemDto(double FinalExitError, int MinCount, double[]? Weights, BeemExitDto[]? Exits);

    private sealed record BeemExitDto(double Threshold, double ErrorRate, int StoppingCount, int ReachingCount);

    private sealed record PolicyDto(string? Name, double? Parameter);
}
