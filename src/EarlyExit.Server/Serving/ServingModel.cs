using System.Collections.Concurrent;
using System.Collections.Immutable;
using EarlyExit.Core.Calibration;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Policies;
using EarlyExit.Data.Tokenization;
using EarlyExit.Onnx.Runtime;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Runtime;

namespace EarlyExit.Server.Serving;

/// <summary>
/// The model the server runs, loaded once: the multi-exit encoder on the chosen backend
/// (<see cref="InferenceBackends.CreateModel"/>), the tokenizer it was trained with, its class
/// names and its exit calibration, and the policies requests name, built once per name and parameter.
/// </summary>
/// <remarks>
/// Only the scheduler's worker thread runs the model. Policy resolution is thread-safe; equal
/// specs give the same <see cref="ExitPolicy"/> instance, so the static scheduler can group rows
/// by policy with a reference comparison.
/// </remarks>
public sealed class ServingModel : IDisposable
{
    /// <summary>The vocabulary name a checkpoint's tokenizer settings must name (the only one bundled).</summary>
    public const string MiniLmVocabulary = "all-MiniLM-L6-v2";

    private readonly LoadedCheckpoint _checkpoint;
    private readonly ConcurrentDictionary<PolicySpec, ExitPolicy> _policies = new();

    private ServingModel(string directory, LoadedCheckpoint checkpoint, InferenceBackend backend, IMultiExitModel<TokenBatch> model,
        TextTokenizer tokenizer, ExitCalibration? calibration)
    {
        Directory = directory;
        _checkpoint = checkpoint;
        Backend = backend;
        Model = model;
        Tokenizer = tokenizer;
        Calibration = calibration;
        Labels = [.. checkpoint.Metadata.LabelNames];
        DefaultPolicy = calibration?.DefaultPolicy ?? new PolicySpec("static", Model.ExitCount);
    }

    /// <summary>The model directory it was loaded from.</summary>
    public string Directory { get; }

    /// <summary>The checkpoint's metadata: config, labels, tokenizer settings, calibration JSON.</summary>
    public CheckpointMetadata Metadata => _checkpoint.Metadata;

    /// <summary>The encoder's architecture (the served models are text encoders).</summary>
    public EncoderConfig Config => _checkpoint.Model.Config;

    /// <summary>The backend that runs <see cref="Model"/>.</summary>
    public InferenceBackend Backend { get; }

    /// <summary>The encoder as a multi-exit model on <see cref="Backend"/>; run it from one thread only.</summary>
    public IMultiExitModel<TokenBatch> Model { get; }

    /// <summary>The tokenizer from the checkpoint's settings.</summary>
    public TextTokenizer Tokenizer { get; }

    /// <summary>Class names, index = class id.</summary>
    public ImmutableArray<string> Labels { get; }

    /// <summary>The exit calibration, or null when the checkpoint has none (then only policies that need none run).</summary>
    public ExitCalibration? Calibration { get; }

    /// <summary>The policy of a request that names none: the calibration's default, or all layers
    /// (<c>static</c> with k = M) for a model without calibration (our choice: never early-exit on an uncalibrated model by default).</summary>
    public PolicySpec DefaultPolicy { get; }

    /// <summary>Loads a model directory and builds its runtime model on <paramref name="backend"/>.</summary>
    /// <param name="directory">A checkpoint directory (<see cref="ModelCheckpoint.Save"/>) whose metadata's
    /// <see cref="CheckpointMetadata.Calibration"/> holds <see cref="ExitCalibrationJson"/> (or is null).</param>
    /// <param name="backend">Which library runs the layers; default TorchSharp.</param>
    /// <param name="onnxOptions">ORT settings for <see cref="InferenceBackend.Onnx"/>; null for the defaults.</param>
    /// <exception cref="FileNotFoundException">A checkpoint file is missing.</exception>
    /// <exception cref="InvalidDataException">The checkpoint or its calibration is invalid, or its tokenizer is not the bundled MiniLM one.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="backend"/> is not defined, or an ONNX option is out of range.</exception>
    public static ServingModel Load(string directory, InferenceBackend backend = InferenceBackend.Torch, OnnxBackendOptions? onnxOptions = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        LoadedCheckpoint checkpoint = ModelCheckpoint.Load(directory);
        try
        {
            string source = Path.Combine(directory, ModelCheckpoint.MetadataFileName);
            ExitCalibration? calibration = checkpoint.Metadata.Calibration is { } json ? ExitCalibrationJson.FromJsonObject(json, source) : null;
            if (calibration is not null && calibration.ExitCount != checkpoint.Model.LayerCount)
                throw new InvalidDataException($"{source}: the calibration is for {calibration.ExitCount} exits but the model has {checkpoint.Model.LayerCount}");
            TextTokenizer tokenizer = CreateTokenizer(checkpoint.Metadata.Tokenizer, source);
            return new ServingModel(directory, checkpoint, backend, InferenceBackends.CreateModel(backend, checkpoint.Model, onnxOptions), tokenizer, calibration);
        }
        catch
        {
            checkpoint.Model.Dispose();
            throw;
        }
    }

    /// <summary>The deployable policy a request names, built once per spec.</summary>
    /// <param name="spec">Name and optional parameter; null for <see cref="DefaultPolicy"/>.</param>
    /// <exception cref="ArgumentException">Unknown name, a parameter out of range, a policy needing a
    /// calibration the model lacks (messages from <see cref="PolicyCatalog.Create"/>), or an oracle.</exception>
    public ExitPolicy ResolvePolicy(PolicySpec? spec)
    {
        spec ??= DefaultPolicy;
        if (_policies.TryGetValue(spec, out ExitPolicy? cached)) return cached;
        ExitPolicy policy = PolicyCatalog.Create(spec, Calibration, Model.ExitCount);
        if (!policy.IsDeployable)
            throw new ArgumentException(
                $"policy '{policy.Name}' is not deployable: it needs each input's final prediction and label; deployable policies: {string.Join(", ", PolicyCatalog.DeployableNames)}",
                nameof(spec));
        // A bounded cache: parameters are client-chosen, so stop caching rather than grow without limit.
        return _policies.Count < 1024 ? _policies.GetOrAdd(spec, policy) : policy;
    }

    /// <summary>Frees the backend (the ONNX one's sessions) and the encoder's tensors.</summary>
    public void Dispose()
    {
        (Model as IDisposable)?.Dispose();
        _checkpoint.Model.Dispose();
    }

    private static TextTokenizer CreateTokenizer(TokenizerSettings? settings, string source)
    {
        if (settings is null) return TextTokenizer.ForMiniLm();
        if (!string.Equals(settings.Vocabulary, MiniLmVocabulary, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{source}: tokenizer vocabulary '{settings.Vocabulary}' is unknown; this server bundles '{MiniLmVocabulary}' only");
        try
        {
            return TextTokenizer.ForMiniLm(new TokenizerOptions { LowerCase = settings.LowerCase, MaxLength = settings.MaxLength });
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"{source}: tokenizer settings are invalid: {e.Message}", e);
        }
    }
}
