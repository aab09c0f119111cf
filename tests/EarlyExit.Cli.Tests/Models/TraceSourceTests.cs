using System.Text.Json.Nodes;
using EarlyExit.Cli.Models;
using EarlyExit.Cli.Tests.TestDoubles;
using EarlyExit.Core.Traces;
using EarlyExit.Data.Datasets;

namespace EarlyExit.Cli.Tests.Models;

/// <summary>When a cached trace is reused and when it is recorded again (data, weights, backend).</summary>
[Collection(MiniLmCollection.Name)]
public sealed class TraceSourceTests(TrainedModelFixture model)
{
    [Fact]
    public void A_trace_recorded_from_the_same_data_weights_and_backend_is_read_not_recorded()
    {
        string copy = model.CopyModel(); // calibrate recorded validation.eetrace with torch
        var directory = ModelDirectory.Open(copy);
        DateTime written = File.GetLastWriteTimeUtc(directory.TracePath(DatasetSplit.Validation));
        var log = new StringWriter();

        using var source = new TraceSource(directory, DatasetSpec.Parse(model.DataSpec), log, CancellationToken.None);
        ExitTrace trace = source.Get(DatasetSplit.Validation);

        Assert.Equal("", log.ToString()); // no "loading", no recording
        Assert.Equal(written, File.GetLastWriteTimeUtc(directory.TracePath(DatasetSplit.Validation)));
        Assert.Equal((int?)Manifest(directory)["validation"]!["samples"], trace.SampleCount);
        Assert.Equal(["ham", "spam"], trace.ClassNames.OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void Another_backend_or_other_weights_record_the_trace_again_and_say_why()
    {
        string copy = model.CopyModel();
        var directory = ModelDirectory.Open(copy);
        var spec = DatasetSpec.Parse(model.DataSpec);
        var onnxLog = new StringWriter();

        ExitTrace onnx;
        using (var source = new TraceSource(directory, spec, onnxLog, CancellationToken.None, InferenceBackend.Onnx, new() { IntraOpThreads = 1 }))
            onnx = source.Get(DatasetSplit.Validation);

        Assert.Contains($"cached trace {directory.TracePath(DatasetSplit.Validation)} was recorded with torch; recording it with onnx", onnxLog.ToString());
        Assert.Equal("onnx", (string?)Manifest(directory)["validation"]!["backend"]);

        // int8 is not fp32: the onnx trace is not reused for it, and its own is reused for it.
        var int8 = new EarlyExit.Onnx.Runtime.OnnxBackendOptions { IntraOpThreads = 1, Precision = EarlyExit.Onnx.Export.OnnxPrecision.Int8 };
        var int8Log = new StringWriter();
        using (var source = new TraceSource(directory, spec, int8Log, CancellationToken.None, InferenceBackend.Onnx, int8))
            source.Get(DatasetSplit.Validation);
        Assert.Contains("was recorded with onnx; recording it with onnx-int8", int8Log.ToString());
        Assert.Equal("onnx-int8", (string?)Manifest(directory)["validation"]!["backend"]);
        var againLog = new StringWriter();
        using (var source = new TraceSource(directory, spec, againLog, CancellationToken.None, InferenceBackend.Onnx, int8))
            source.Get(DatasetSplit.Validation);
        Assert.Equal("", againLog.ToString());

        // Weights that are not the ones the manifest names: recorded again, with torch, silently.
        JsonObject manifest = Manifest(directory);
        manifest["validation"]!["weights_sha256"] = new string('0', 64);
        File.WriteAllText(directory.TraceManifestPath, manifest.ToJsonString());
        var torchLog = new StringWriter();
        ExitTrace torch;
        using (var source = new TraceSource(directory, spec, torchLog, CancellationToken.None))
            torch = source.Get(DatasetSplit.Validation);

        Assert.Contains("recording every exit on", torchLog.ToString());
        Assert.Equal(directory.WeightsHash(), (string?)Manifest(directory)["validation"]!["weights_sha256"]);
        Assert.Equal("torch", (string?)Manifest(directory)["validation"]!["backend"]);
        Assert.Equal(onnx.SampleCount, torch.SampleCount);
        Assert.Equal(onnx.Labels.ToArray(), torch.Labels.ToArray());
    }

    [Fact]
    public void A_validation_trace_copied_over_the_test_trace_is_recorded_again_not_reported()
    {
        string copy = model.CopyModel();
        var directory = ModelDirectory.Open(copy);
        var spec = DatasetSpec.Parse(model.DataSpec);
        string validation = directory.TracePath(DatasetSplit.Validation), test = directory.TracePath(DatasetSplit.Test);
        int testSamples;
        using (var source = new TraceSource(directory, spec, TextWriter.Null, CancellationToken.None))
            testSamples = source.Get(DatasetSplit.Test).SampleCount;
        int validationSamples = ExitTraceFile.Read(validation).SampleCount;
        File.Copy(validation, test, overwrite: true);
        // A manifest without the trace's own hash (written before it was recorded) still vouches for
        // test.eetrace: only what the trace says about itself can tell.
        ForgetTraceHash(directory, "test");
        var log = new StringWriter();

        ExitTrace trace;
        using (var source = new TraceSource(directory, spec, log, CancellationToken.None))
            trace = source.Get(DatasetSplit.Test);

        Assert.Contains($"cached trace {test} holds the validation split, not the test split; recording it again", log.ToString());
        Assert.Contains("recording every exit on", log.ToString());
        Assert.NotEqual(validationSamples, testSamples); // else the sample count alone could not tell them apart
        Assert.Equal(testSamples, trace.SampleCount);
        Assert.Equal(testSamples, ExitTraceFile.Read(test).SampleCount);
    }

    [Fact]
    public void A_trace_from_an_older_earlyexit_is_recorded_again_and_says_why()
    {
        string copy = model.CopyModel();
        var directory = ModelDirectory.Open(copy);
        string validation = directory.TracePath(DatasetSplit.Validation);
        // What an older earlyexit wrote: the same trace, saying nothing about its split or data.
        ExitTraceFile.Write(ExitTraceFile.Read(validation).WithProvenance(null), validation);
        ForgetTraceHash(directory, "validation"); // as an older earlyexit's traces.json: no trace_sha256
        var log = new StringWriter();

        ExitTrace trace;
        using (var source = new TraceSource(directory, DatasetSpec.Parse(model.DataSpec), log, CancellationToken.None))
            trace = source.Get(DatasetSplit.Validation);

        Assert.Contains($"cached trace {validation} was recorded by an older earlyexit (it does not say which split and data it holds); recording it again", log.ToString());
        Assert.Equal("validation", trace.Provenance?.Split);
        Assert.Equal("validation", ExitTraceFile.Read(validation).Provenance?.Split);
    }

    [Fact]
    public void A_trace_with_one_mean_cost_per_exit_is_recorded_again_with_each_samples_flops()
    {
        string copy = model.CopyModel();
        var directory = ModelDirectory.Open(copy);
        string validation = directory.TracePath(DatasetSplit.Validation);
        ExitTrace recorded = ExitTraceFile.Read(validation);
        Assert.True(recorded.HasSampleFlops);
        // What format version 2 held: the same logits and per-exit mean FLOPs, no sample's own.
        var meansOnly = new ExitTrace(recorded.AllLogits, recorded.Labels, recorded.ExitCount, recorded.ClassNames,
            recorded.CumulativeFlops, recorded.FullModelFlops).WithProvenance(recorded.Provenance);
        ExitTraceFile.Write(meansOnly, validation);
        ForgetTraceHash(directory, "validation");
        var log = new StringWriter();

        ExitTrace trace;
        using (var source = new TraceSource(directory, DatasetSpec.Parse(model.DataSpec), log, CancellationToken.None))
            trace = source.Get(DatasetSplit.Validation);

        Assert.Contains($"cached trace {validation} was recorded by an older earlyexit (one mean cost per exit, not each sample's own FLOPs); recording it again", log.ToString());
        Assert.True(trace.HasSampleFlops);
        Assert.Equal(recorded.SampleFullModelFlops.ToArray(), trace.SampleFullModelFlops.ToArray());
    }

    [Fact]
    public void The_train_split_is_never_traced_and_other_classes_are_refused()
    {
        string copy = model.CopyModel();
        var directory = ModelDirectory.Open(copy);
        File.Delete(directory.TracePath(DatasetSplit.Test));
        string other = Path.Combine(model.Root, "other-classes.csv");
        File.WriteAllLines(other, ["text,label", .. Enumerable.Range(0, 60).Select(i => $"\"row {i} words\",{(i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c")}")]);

        using var source = new TraceSource(directory, DatasetSpec.Parse(model.DataSpec), TextWriter.Null, CancellationToken.None);
        using var wrong = new TraceSource(directory, DatasetSpec.Parse("csv:" + other), TextWriter.Null, CancellationToken.None);

        Assert.Throws<ArgumentOutOfRangeException>(() => source.Get(DatasetSplit.Train));
        var error = Assert.Throws<CliException>(() => wrong.Get(DatasetSplit.Test));
        Assert.StartsWith($"--data csv:{other} has classes [a, b, c] but the model was trained on [", error.Message);
    }

    private static void ForgetTraceHash(ModelDirectory directory, string split)
    {
        JsonObject manifest = Manifest(directory);
        ((JsonObject)manifest[split]!).Remove("trace_sha256");
        File.WriteAllText(directory.TraceManifestPath, manifest.ToJsonString());
    }

    private static JsonObject Manifest(ModelDirectory directory) => (JsonObject)JsonNode.Parse(File.ReadAllText(directory.TraceManifestPath))!;
}
