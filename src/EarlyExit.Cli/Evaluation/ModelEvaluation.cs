using EarlyExit.Cli.Inputs;
using EarlyExit.Cli.Models;
using EarlyExit.Core.Calibration;
using EarlyExit.Core.Evaluation;
using EarlyExit.Data.Datasets;
using EarlyExit.Onnx.Runtime;

namespace EarlyExit.Cli.Evaluation;

/// <summary>What evaluate and report share: a calibrated model's traces and every policy measured on them.</summary>
/// <param name="Calibration">The model's calibration.</param>
/// <param name="Validation">The validation trace's evaluator.</param>
/// <param name="Reported">The reported split's evaluator (the same object when the split is validation).</param>
/// <param name="Result">Every policy, chosen on validation, measured on the reported split.</param>
public sealed record ModelEvaluation(ExitCalibration Calibration, TraceEvaluator Validation, TraceEvaluator Reported, EvaluationResult Result)
{
    /// <summary>Loads (or records) the traces of a calibrated model and evaluates every policy.</summary>
    /// <param name="directory">The model folder.</param>
    /// <param name="data">The <c>--data</c> value.</param>
    /// <param name="split">"test" or "validation".</param>
    /// <param name="log">stderr.</param>
    /// <param name="cancellationToken">Stops recording.</param>
    /// <param name="backend">The backend that records a trace the cache lacks (<see cref="TraceSource"/>); default TorchSharp.</param>
    /// <param name="onnxOptions">ORT settings for <see cref="InferenceBackend.Onnx"/>; null for the defaults.</param>
    /// <param name="strict"><c>--strict</c> (<see cref="TraceSource.Strict"/>).</param>
    /// <exception cref="CliException">The model is not calibrated, or the data or model cannot be loaded.</exception>
    public static ModelEvaluation Run(ModelDirectory directory, string data, string split, TextWriter log, CancellationToken cancellationToken,
        InferenceBackend backend = InferenceBackend.Torch, OnnxBackendOptions? onnxOptions = null, bool strict = false)
    {
        ArgumentNullException.ThrowIfNull(directory);
        DatasetSpec spec = DataSource.Parse(data);
        ExitCalibration calibration = directory.ReadCalibration(directory.ReadMetadataJson()["calibration"]?.AsObject())
            ?? throw new CliException($"--model {directory.Path} is not calibrated; run: earlyexit calibrate --model {directory.Path} --data {data}");
        using var source = new TraceSource(directory, spec, log, cancellationToken, backend, onnxOptions) { Strict = strict };
        var validation = new TraceEvaluator(source.Get(DatasetSplit.Validation));
        if (validation.ExitCount != calibration.ExitCount)
            throw new CliException($"--model {directory.Path}: the calibration is for {calibration.ExitCount} exits but the model has {validation.ExitCount}; run calibrate again");
        TraceEvaluator reported = split switch
        {
            "validation" => validation,
            "test" => new TraceEvaluator(source.Get(DatasetSplit.Test)),
            _ => throw new CliException($"--split must be validation or test; got '{split}'"),
        };
        log.WriteLine($"evaluating every policy: parameters chosen on {validation.SampleCount:N0} validation samples, reported on {reported.SampleCount:N0} {split} samples");
        return new ModelEvaluation(calibration, validation, reported, PolicyBenchmark.Run(calibration, validation, reported, split));
    }
}
