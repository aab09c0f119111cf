using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using EarlyExit.Core.IO;
using EarlyExit.Cli.Inputs;
using EarlyExit.Cli.Terminal;
using EarlyExit.Core.Traces;
using EarlyExit.Data.Datasets;
using EarlyExit.Onnx.Runtime;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Models.Vision;
using EarlyExit.Torch.Runtime;
using EarlyExit.Torch.Traces;

namespace EarlyExit.Cli.Models;

/// <summary>
/// The exit traces of a model on a dataset's validation and test splits: read from the model
/// folder's cache when it was recorded from the same data, the same weights and on the same
/// backend, otherwise recorded (with a progress bar) and cached. The model and the data are
/// loaded only when a trace has to be recorded, so re-running evaluate or report costs seconds.
/// A text model's traces are recorded from texts, a vision model's (ViT, CNN) from images,
/// through the same <see cref="ExitTraceRecorder"/>.
/// </summary>
/// <remarks>
/// The manifest (<see cref="ModelDirectory.TraceManifestPath"/>) records each trace's backend
/// (our choice): TorchSharp and ONNX Runtime agree within 1e-4 in logits, not bit for bit, so a
/// near-tie could go another way; a trace is reused only for the backend that recorded it, and
/// asking for the other records it again; ONNX Runtime in int8 is a backend of its own here ("onnx-int8").
/// Entries written before the backend was recorded are
/// TorchSharp's (the only backend then). The trace file itself also names its split and a hash
/// of its data (<see cref="ExitTrace.Provenance"/>), checked on reading: a trace file copied over
/// another, or one from an older earlyexit that does not say, is recorded again.
/// </remarks>
public sealed class TraceSource : IDisposable
{
    /// <summary>Texts per forward pass when recording. 32 keeps padding waste low on mixed lengths.</summary>
    public const int BatchSize = 32;

    /// <summary>Images per forward pass when recording: images have no padding, so larger batches only help.</summary>
    public const int ImageBatchSize = 128;

    private readonly ModelDirectory _directory;
    private readonly DatasetSpec _spec;
    private readonly TextWriter _log;
    private readonly CancellationToken _cancellationToken;
    private readonly Lazy<string> _weightsHash;
    private readonly InferenceBackend _backend;
    private readonly OnnxBackendOptions? _onnxOptions;
    private Dataset<TextExample>? _textData;
    private Dataset<ImageExample>? _imageData;
    private EarlyExitClassifier? _classifier;
    private LoadedVisionCheckpoint? _visionModel;

    /// <summary>Creates the source; nothing is read yet.</summary>
    /// <param name="directory">The model folder.</param>
    /// <param name="spec">The data whose splits are traced.</param>
    /// <param name="log">Progress and notes (stderr).</param>
    /// <param name="cancellationToken">Stops recording between batches.</param>
    /// <param name="backend">The backend that records, and whose cached traces are reused; default TorchSharp.</param>
    /// <param name="onnxOptions">ORT settings for <see cref="InferenceBackend.Onnx"/>; null for the defaults.</param>
    public TraceSource(ModelDirectory directory, DatasetSpec spec, TextWriter log, CancellationToken cancellationToken,
        InferenceBackend backend = InferenceBackend.Torch, OnnxBackendOptions? onnxOptions = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(log);
        _directory = directory;
        _spec = spec;
        _log = log;
        _cancellationToken = cancellationToken;
        _weightsHash = new Lazy<string>(directory.WeightsHash);
        // A trace killed before its rename leaves a temporary file as large as the trace.
        directory.RecoverInterruptedWrites();
        _backend = backend;
        _onnxOptions = onnxOptions;
    }

    /// <summary><c>--strict</c>: text data with rows that are not valid UTF-8 is refused when it is read (only to record a trace).</summary>
    public bool Strict { get; init; }

    /// <summary>The split's trace, from the cache or recorded now.</summary>
    /// <param name="split">Validation or test (train is never traced: it says nothing about new data).</param>
    /// <exception cref="CliException">The data or the model cannot be loaded, or their classes differ.</exception>
    public ExitTrace Get(DatasetSplit split)
    {
        if (split == DatasetSplit.Train)
            throw new ArgumentOutOfRangeException(nameof(split), split, "only validation and test are traced");
        string path = _directory.TracePath(split);
        string key = split.ToString().ToLowerInvariant();
        JsonObject manifest = ReadManifest();
        string fingerprint = DataSource.Fingerprint(_spec);
        var provenance = new TraceProvenance(key, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fingerprint))));
        string backend = RecordedWith();
        if (File.Exists(path) && manifest[key] is JsonObject entry
            && (string?)entry["data"] == fingerprint && (string?)entry["weights_sha256"] == _weightsHash.Value)
        {
            string cachedBackend = (string?)entry["backend"] ?? InferenceBackends.NameOf(InferenceBackend.Torch);
            // The trace is replaced before its entry: a kill between the two leaves a trace the
            // entry does not describe, which its SHA-256 (absent in older manifests) catches.
            if (entry["trace_sha256"] is { } recorded && (string?)recorded != FileHash.Sha256(path))
            {
                _log.WriteLine($"cached trace {path} is not the one traces.json describes (an interrupted write); recording it again");
            }
            else if (cachedBackend == backend)
            {
                try
                {
                    ExitTrace cached = ExitTraceFile.Read(path);
                    string? mismatch = Mismatch(cached, provenance, (int?)entry["samples"], split);
                    if (mismatch is null) return cached;
                    _log.WriteLine($"cached trace {path} {mismatch}; recording it again");
                }
                catch (ExitTraceFormatException e)
                {
                    _log.WriteLine($"cached trace {path} is unreadable ({e.Problem}); recording it again");
                }
            }
            else
            {
                _log.WriteLine($"cached trace {path} was recorded with {cachedBackend}; recording it with {backend}");
            }
        }

        ExitTrace trace = Record(split).WithProvenance(provenance);
        ExitTraceFile.Write(trace, path);
        manifest = ReadManifest();
        manifest[key] = new JsonObject
        {
            ["data"] = fingerprint,
            ["weights_sha256"] = _weightsHash.Value,
            ["backend"] = backend,
            ["samples"] = trace.SampleCount,
            ["trace_sha256"] = FileHash.Sha256(path),
        };
        AtomicFile.WriteAllText(_directory.TraceManifestPath, manifest.ToJsonString(new() { WriteIndented = true }));
        return trace;
    }

    // The cache key of what records: the backend, and for ONNX Runtime in int8 the precision too
    // ("onnx-int8"): int8 answers differ from fp32's near ties, so neither trace stands for the other.
    private string RecordedWith() =>
        _backend == InferenceBackend.Onnx && _onnxOptions?.Precision == Onnx.Export.OnnxPrecision.Int8
            ? InferenceBackends.NameOf(_backend) + "-int8"
            : InferenceBackends.NameOf(_backend);

    /// <summary>Disposes the models and the backend if they were loaded.</summary>
    public void Dispose()
    {
        _classifier?.Dispose();
        _visionModel?.Model.Dispose();
    }

    /// <summary>
    /// Why a cached trace that the manifest vouches for is not the one asked for, or null when it is:
    /// the manifest describes the file that was written, not one copied over it later, so the trace
    /// must also say itself that it holds this split of this data, with as many samples as recorded
    /// (and as the split has, when the data is loaded anyway).
    /// </summary>
    private string? Mismatch(ExitTrace cached, TraceProvenance wanted, int? recordedSamples, DatasetSplit split)
    {
        if (cached.Provenance is not { } provenance)
            return "was recorded by an older earlyexit (it does not say which split and data it holds)";
        if (cached.HasFlops && !cached.HasSampleFlops)
            return "was recorded by an older earlyexit (one mean cost per exit, not each sample's own FLOPs)";
        if (provenance.Split != wanted.Split)
            return $"holds the {provenance.Split} split, not the {wanted.Split} split";
        if (provenance.DataHash != wanted.DataHash)
            return $"was recorded from other data than --data {_spec}";
        int? expected = _textData?[split].Count ?? _imageData?[split].Count ?? recordedSamples;
        return expected is int samples && cached.SampleCount != samples
            ? $"holds {cached.SampleCount:N0} samples but the {wanted.Split} split has {samples:N0}"
            : null;
    }

    private ExitTrace Record(DatasetSplit split) =>
        _directory.Kind == ModelKind.Vision ? RecordImages(split) : RecordText(split);

    private ExitTrace RecordText(DatasetSplit split)
    {
        // Loaded once for both splits: parsing a data set (MIME mails, R serialisation, images) takes seconds.
        Dataset<TextExample> data = _textData ??= Loaded(() => DataSource.Load(_spec, _cancellationToken, _log, Strict));
        IReadOnlyList<TextExample> examples = Examples(data, split);
        // One deployable model for both splits (the ONNX backend exports the encoder once), driven
        // exit by exit by the recorder; nothing else uses it meanwhile.
        EarlyExitClassifier classifier = _classifier ??= EarlyExitClassifier.Load(_directory,
            new EarlyExitClassifierOptions { Backend = _backend, Onnx = _onnxOptions ?? new OnnxBackendOptions() });
        CheckClasses(data.ClassNames, classifier.Labels);
        return ConsoleProgress.Run(_log, Recording(examples.Count, split), examples.Count, bar =>
            ExitTraceRecorder.Record(classifier.Model, Batches(examples, BatchSize, bar, chunk => classifier.Tokenizer.EncodeExamples(chunk)),
                Labels(examples), classifier.Labels));
    }

    private ExitTrace RecordImages(DatasetSplit split)
    {
        // The ONNX export covers the text encoder's segments only.
        if (_backend != InferenceBackend.Torch)
            throw new CliException($"--backend {InferenceBackends.NameOf(_backend)}: vision models run on the torch backend only");
        Dataset<ImageExample> data = _imageData ??= Loaded(() => DataSource.LoadImages(_spec, _cancellationToken));
        IReadOnlyList<ImageExample> examples = Examples(data, split);
        LoadedVisionCheckpoint model = _visionModel ??= _directory.LoadVisionModel();
        CheckClasses(data.ClassNames, model.Metadata.LabelNames);
        VisionConfig config = model.Model.Config;
        if (examples[0].Height != config.ImageSize)
            throw new CliException($"--data {_spec} has {examples[0].Height}-pixel images; the model takes {config.ImageSize} (for an image folder, add ?size={config.ImageSize})");
        var exitModel = new VisionExitModel(model.Model);
        return ConsoleProgress.Run(_log, Recording(examples.Count, split), examples.Count, bar =>
            ExitTraceRecorder.Record(exitModel, Batches(examples, ImageBatchSize, bar,
                chunk => ImageBatch.FromExamples(chunk, [.. Enumerable.Range(0, chunk.Length)], config)),
                Labels(examples), model.Metadata.LabelNames));
    }

    private T Loaded<T>(Func<T> load)
    {
        _log.WriteLine($"loading {_spec}");
        return load();
    }

    private IReadOnlyList<T> Examples<T>(Dataset<T> data, DatasetSplit split)
        where T : ILabelledExample
    {
        IReadOnlyList<T> examples = data[split];
        return examples.Count > 0 ? examples : throw new CliException($"--data {_spec}: the {split.ToString().ToLowerInvariant()} split is empty");
    }

    private void CheckClasses(IReadOnlyList<string> data, IReadOnlyList<string> model)
    {
        if (!model.SequenceEqual(data))
            throw new CliException($"--data {_spec} has classes [{string.Join(", ", data)}] but the model was trained on [{string.Join(", ", model)}]");
    }

    private string Recording(int count, DatasetSplit split) =>
        $"recording every exit on {count:N0} {split.ToString().ToLowerInvariant()} examples with {InferenceBackends.NameOf(_backend)}";

    private static int[] Labels<T>(IReadOnlyList<T> examples)
        where T : ILabelledExample => [.. examples.Select(e => e.Label)];

    private IEnumerable<TBatch> Batches<T, TBatch>(IReadOnlyList<T> examples, int size, IProgressBar bar, Func<T[], TBatch> collate)
    {
        for (int start = 0; start < examples.Count; start += size)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            bar.Report(start);
            yield return collate([.. examples.Skip(start).Take(size)]);
        }
    }

    private JsonObject ReadManifest()
    {
        if (!File.Exists(_directory.TraceManifestPath)) return [];
        try
        {
            return JsonNode.Parse(File.ReadAllText(_directory.TraceManifestPath)) as JsonObject ?? [];
        }
        catch (System.Text.Json.JsonException)
        {
            return []; // a damaged manifest only costs a re-recording
        }
    }
}
