using System.Collections.Immutable;
using System.Globalization;
using EarlyExit.Cli.Inputs;
using EarlyExit.Core.RiskControl;
using EarlyExit.Core.Traces;

namespace EarlyExit.Cli.Evaluation;

/// <summary>The risk-control check, checked before any trace is recorded, and run on an evaluation.</summary>
/// <param name="Draws">R.</param>
/// <param name="Measure">The risk checked.</param>
/// <param name="Epsilons">The targets ε.</param>
/// <param name="Delta">δ = 1 − confidence.</param>
internal sealed record ResampleSettings(int Draws, RiskMeasure Measure, ImmutableArray<double> Epsilons, double Delta)
{
    /// <summary>The check asked for, or null; a bad option is a one-line error naming it.</summary>
    /// <param name="request">The options as typed, or null.</param>
    /// <param name="split">The reported split: the check pools validation with test.</param>
    /// <exception cref="CliException">A bad --resample, --risk-measure, --risk-targets or --confidence, or --split validation.</exception>
    public static ResampleSettings? Parse(ResampleRequest? request, string split)
    {
        if (request is null) return null;
        if (request.Draws < 1)
            throw new CliException($"--resample must be a positive number of draws; got {request.Draws}");
        if (!string.Equals(split, "test", StringComparison.OrdinalIgnoreCase))
            throw new CliException("--resample pools the validation and test splits; it cannot run with --split validation");
        ImmutableArray<double> epsilons = NumberList.Parse(request.Targets, "--risk-targets", e => e > 0 && e < 1, "a number between 0 and 1 (exclusive)");
        if (!(request.Confidence > 0 && request.Confidence < 1))
            throw new CliException($"--confidence must be between 0 and 1 (exclusive); got {request.Confidence.ToString(CultureInfo.InvariantCulture)}");
        int measure = RiskLimit.MeasureNames.ToList().FindIndex(n => string.Equals(n, request.Measure, StringComparison.OrdinalIgnoreCase));
        if (measure < 0)
            throw new CliException($"--risk-measure must be one of {string.Join(", ", RiskLimit.MeasureNames)}; got '{request.Measure}'");
        return new ResampleSettings(request.Draws, (RiskMeasure)measure, epsilons, 1 - request.Confidence);
    }

    /// <summary>Runs the check on the evaluation's validation and test traces, pooled.</summary>
    /// <param name="evaluation">The evaluated model (reported split: test).</param>
    /// <param name="seed">The seed of the splits (<c>--seed</c>).</param>
    /// <param name="log">stderr.</param>
    public ResampleCheckResult Run(ModelEvaluation evaluation, int seed, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        ExitTrace pooled = ExitTrace.Concat(evaluation.Validation.Trace, evaluation.Reported.Trace);
        log.WriteLine($"resampling: {Draws:N0} draws of {pooled.SampleCount:N0} pooled validation + test samples");
        return new ResampleCheckResult(ResampleCheck.Run(pooled, Measure, Epsilons, Delta, Draws, (ulong)seed), Measure, Delta, pooled.SampleCount);
    }
}

/// <summary>The check's rows and what they were run with, for the table and the report's figure.</summary>
internal sealed record ResampleCheckResult(ImmutableArray<ResampleResult> Rows, RiskMeasure Measure, double Delta, int PooledSamples);
