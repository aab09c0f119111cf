using System.Collections.Immutable;
using EarlyExit.Core.RiskControl;

namespace EarlyExit.Core.Calibration;

/// <summary>The <c>risk_control</c> object of a calibration file: a <see cref="RiskControlledChoice"/>.</summary>
internal static class RiskControlJson
{
    internal static RiskControlDto ToDto(RiskControlledChoice c) => new(
        RiskLimit.MeasureNames[(int)c.Limit.Measure], c.Limit.Epsilon, c.Limit.Delta, c.Family, c.AcceptedCount, c.SampleCount, c.ExitCount,
        [.. c.Steps.Select(s => new StepDto(s.Parameter, s.Risk, s.PValue, s.SpeedupRatio))]);

    /// <exception cref="ArgumentException">A field is missing or out of range; the message names it.</exception>
    internal static RiskControlledChoice FromDto(RiskControlDto dto)
    {
        int measure = RiskLimit.MeasureNames.ToList().IndexOf(dto.Measure ?? "");
        if (measure < 0)
            throw new ArgumentException($"field 'risk_control.measure' must be one of {string.Join(", ", RiskLimit.MeasureNames)}; got '{dto.Measure}'");
        var steps = (dto.Steps ?? throw new ArgumentException("field 'risk_control.steps' is missing"))
            .Select(s => new RiskControlStep(s.Parameter, s.Risk, s.PValue, s.Speedup)).ToImmutableArray();
        if (dto.Accepted < 0 || dto.Accepted > steps.Length)
            throw new ArgumentException($"field 'risk_control.accepted' is {dto.Accepted}; it must be between 0 and the {steps.Length} steps");
        return new RiskControlledChoice(new RiskLimit((RiskMeasure)measure, dto.Epsilon, dto.Delta),
            dto.Family ?? throw new ArgumentException("field 'risk_control.family' is missing"), steps, dto.Accepted, dto.SampleCount, dto.ExitCount);
    }

    internal sealed record RiskControlDto(string? Measure, double Epsilon, double Delta, string? Family, int Accepted,
        int SampleCount, int ExitCount, StepDto[]? Steps);

    internal sealed record StepDto(double Parameter, double Risk, double PValue, double Speedup);
}
