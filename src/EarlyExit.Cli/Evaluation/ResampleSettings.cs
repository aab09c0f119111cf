using System.Collections.Immutable;
using System.Globalization;
using EarlyExit.Cli.Commands;
using EarlyExit.Core.RiskControl;

namespace EarlyExit.Cli.Evaluation;

/// <summary>evaluate's <c>--resample</c> options, checked before any trace is recorded.</summary>
/// <param name="Measure">The risk checked.</param>
/// <param name="Epsilons">The targets ε.</param>
/// <param name="Delta">δ = 1 − confidence.</param>
internal sealed record ResampleSettings(RiskMeasure Measure, ImmutableArray<double> Epsilons, double Delta)
{
    /// <summary>The check asked for, or null without <c>--resample</c>; a bad option is a one-line error naming it.</summary>
    /// <exception cref="CliException">A bad --resample, --risk-measure, --risk-targets or --confidence, or --split validation.</exception>
    public static ResampleSettings? Parse(EvaluateSettings settings)
    {
        if (settings.Resample == 0) return null;
        if (settings.Resample < 0)
            throw new CliException($"--resample must be a positive number of draws; got {settings.Resample}");
        if (!string.Equals(settings.Split, "test", StringComparison.OrdinalIgnoreCase))
            throw new CliException("--resample pools the validation and test splits; it cannot run with --split validation");
        var epsilons = ImmutableArray.CreateBuilder<double>();
        foreach (string part in settings.RiskTargets.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double e) || !(e > 0 && e < 1))
                throw new CliException($"--risk-targets: each target must be a number between 0 and 1 (exclusive); got '{part}' in '{settings.RiskTargets}'");
            epsilons.Add(e);
        }
        if (!(settings.Confidence > 0 && settings.Confidence < 1))
            throw new CliException($"--confidence must be between 0 and 1 (exclusive); got {settings.Confidence.ToString(CultureInfo.InvariantCulture)}");
        int measure = RiskLimit.MeasureNames.ToList().FindIndex(n => string.Equals(n, settings.RiskMeasure, StringComparison.OrdinalIgnoreCase));
        if (measure < 0)
            throw new CliException($"--risk-measure must be one of {string.Join(", ", RiskLimit.MeasureNames)}; got '{settings.RiskMeasure}'");
        return new ResampleSettings((RiskMeasure)measure, epsilons.ToImmutable(), 1 - settings.Confidence);
    }
}
