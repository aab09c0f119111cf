using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using EarlyExit.Core.Calibration;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Policies;
using EarlyExit.Data.Batching;
using EarlyExit.Data.Tokenization;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Runtime;

namespace EarlyExit;

/// <summary>
/// A deployable early-exit text classifier: a model folder (written by <c>earlyexit train</c> and
/// <c>earlyexit calibrate</c>) loaded once, with its checkpoint, calibration, tokenizer, label
/// names and default policy, on the backend chosen. Each text runs layer by layer and leaves at the
/// first exit its policy accepts (<see cref="EarlyExitRuntime{TInput}"/>).
/// </summary>
/// <remarks>
/// <para><b>The default policy</b> (<see cref="DefaultPolicy"/>): the calibration's default (PCEE
/// with δ = the final exit's validation accuracy, docs/algorithms.md §2) when the folder is
/// calibrated; otherwise <c>static</c> with k = M, every layer <b>(our choice)</b>: an uncalibrated
/// model has no evidence that its early answers are good enough, so by default it answers exactly
/// as the full model does, and early exit is something a user asks for by naming a policy or by
/// calibrating.</para>
/// <para><b>Thread safety</b>: every member is safe to call from any thread. Calls that run the
/// model (<c>Classify</c>, <c>ClassifyAsync</c>) take turns, one batch at a time: each backend
/// already spreads one batch over the threads it was given (<c>--threads</c>, ONNX Runtime's
/// intra-op threads), so two batches at once would only compete for the same cores; to go faster,
/// pass many texts in one call. <c>ClassifyAsync</c> waits for its turn without blocking a thread
/// and stops between batches when cancelled. <see cref="Dispose"/> waits for the call in progress;
/// every later call throws <see cref="ObjectDisposedException"/>.</para>
/// </remarks>
public sealed class EarlyExitClassifier : IDisposable
{
    private const int PolicyCacheLimit = 1024;

    private readonly LoadedCheckpoint _checkpoint;
    private readonly ConcurrentDictionary<PolicySpec, ExitPolicy> _policies = new();
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly int _batchSize;
    private readonly int _maxBatchTokens;
    private volatile bool _disposed;

    private EarlyExitClassifier(ModelDirectory folder, LoadedCheckpoint checkpoint, IMultiExitModel<TokenBatch> model,
        TextTokenizer tokenizer, ExitCalibration? calibration, EarlyExitClassifierOptions options)
    {
        Folder = folder;
        _checkpoint = checkpoint;
        Model = model;
        Tokenizer = tokenizer;
        Calibration = calibration;
        Backend = options.Backend;
        _batchSize = options.BatchSize;
        _maxBatchTokens = options.MaxBatchTokens;
        Labels = [.. checkpoint.Metadata.LabelNames];
        DefaultPolicy = DefaultPolicyFor(calibration, model.ExitCount);
    }

    /// <summary>The model folder it was loaded from.</summary>
    public ModelDirectory Folder { get; }

    /// <summary>The checkpoint's metadata: config, labels, tokenizer settings, calibration JSON.</summary>
    public CheckpointMetadata Metadata => _checkpoint.Metadata;

    /// <summary>The encoder's architecture.</summary>
    public EncoderConfig Config => _checkpoint.Model.Config;

    /// <summary>The backend that runs the layers.</summary>
    public InferenceBackend Backend { get; }

    /// <summary>Class names, index = class id.</summary>
    public ImmutableArray<string> Labels { get; }

    /// <summary>M, the number of exits (one after each layer).</summary>
    public int ExitCount => Model.ExitCount;

    /// <summary>The exit calibration, or null before <c>earlyexit calibrate</c> (then BEEM and PCEE cannot run).</summary>
    public ExitCalibration? Calibration { get; }

    /// <summary>The policy of a call that names none; see the remarks for why.</summary>
    public PolicySpec DefaultPolicy { get; }

    /// <summary>The tokenizer the model was trained with.</summary>
    public TextTokenizer Tokenizer { get; }

    /// <summary>
    /// The encoder as a multi-exit model on <see cref="Backend"/>, for code that drives it layer by
    /// layer itself (the server's schedulers, the exit-trace recorder). Not guarded: whoever uses it
    /// must not call it from two threads at once, nor while a <c>Classify</c> call runs.
    /// </summary>
    public IMultiExitModel<TokenBatch> Model { get; }

    /// <summary>Loads a model folder.</summary>
    /// <param name="path">The folder (<c>checkpoint.json</c>, <c>model.safetensors</c>).</param>
    /// <param name="options">Backend and batch size; null for the defaults (TorchSharp, batches of 32).</param>
    /// <exception cref="ModelFolderException">The folder is missing, holds no finished model or a vision model, or its
    /// checkpoint, calibration or tokenizer settings are corrupt: the message names the folder and the file.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static EarlyExitClassifier Load(string path, EarlyExitClassifierOptions? options = null) =>
        Load(ModelDirectory.Open(path), options);

    /// <summary>Loads an opened model folder (<see cref="ModelDirectory.Open"/>).</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="options">Backend and batch size; null for the defaults.</param>
    /// <exception cref="ModelFolderException">As for <see cref="Load(string, EarlyExitClassifierOptions?)"/>.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static EarlyExitClassifier Load(ModelDirectory folder, EarlyExitClassifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        options ??= new EarlyExitClassifierOptions();
        options.Validate();
        LoadedCheckpoint checkpoint = folder.LoadModel();
        try
        {
            ExitCalibration? calibration = folder.ReadCalibration(checkpoint.Metadata);
            if (calibration is not null && calibration.ExitCount != checkpoint.Model.LayerCount)
                throw new ModelFolderException(folder.Path,
                    $"corrupt calibration: {folder.MetadataPath} is calibrated for {calibration.ExitCount} exits but the model has {checkpoint.Model.LayerCount}; run calibrate again");
            TextTokenizer tokenizer = folder.CreateTokenizer(checkpoint.Metadata);
            IMultiExitModel<TokenBatch> model = InferenceBackends.CreateModel(options.Backend, checkpoint.Model, options.Onnx);
            return new EarlyExitClassifier(folder, checkpoint, model, tokenizer, calibration, options);
        }
        catch
        {
            checkpoint.Model.Dispose();
            throw;
        }
    }

    /// <summary>The policy of a call that names none, for a model with or without calibration (see the remarks).</summary>
    /// <param name="calibration">The model's calibration, or null.</param>
    /// <param name="exitCount">M.</param>
    public static PolicySpec DefaultPolicyFor(ExitCalibration? calibration, int exitCount) =>
        calibration?.DefaultPolicy ?? new PolicySpec(StaticExitPolicy.PolicyName, exitCount);

    /// <summary>The deployable policy a spec names, built once per spec.</summary>
    /// <param name="spec">Name and optional parameter; null, or the default policy's name without a
    /// parameter, for <see cref="DefaultPolicy"/>.</param>
    /// <exception cref="PolicyNotDeployableException">The spec names an oracle.</exception>
    /// <exception cref="ArgumentException">An unknown name (the valid ones listed), a parameter out of range, or a
    /// policy needing a calibration the model lacks.</exception>
    public ExitPolicy ResolvePolicy(PolicySpec? spec)
    {
        // The default policy's name alone means the default policy: PCEE's calibrated default δ is
        // stored rounded, while the catalog's default is the unrounded final-exit accuracy, and
        // "pcee" and no policy must not differ by that rounding.
        if (spec is null || (spec.Parameter is null && string.Equals(spec.Name, DefaultPolicy.Name, StringComparison.OrdinalIgnoreCase)))
            spec = DefaultPolicy;
        if (_policies.TryGetValue(spec, out ExitPolicy? cached)) return cached;
        ExitPolicy policy = PolicyCatalog.CreateDeployable(spec, Calibration, ExitCount);
        // Bounded: parameters may come from clients, so stop caching rather than grow without limit.
        return _policies.Count < PolicyCacheLimit ? _policies.GetOrAdd(spec, policy) : policy;
    }

    /// <summary>Classifies one text.</summary>
    /// <param name="text">The text; longer texts are truncated to the model's maximum length.</param>
    /// <param name="policy">The policy; null for <see cref="DefaultPolicy"/>.</param>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    /// <exception cref="ArgumentException">A bad policy (see <see cref="ResolvePolicy"/>).</exception>
    public Classification Classify(string text, PolicySpec? policy = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Classify([text], policy)[0];
    }

    /// <summary>Classifies texts, in batches of the configured size.</summary>
    /// <param name="texts">The texts; none gives none.</param>
    /// <param name="policy">The policy for every text; null for <see cref="DefaultPolicy"/>.</param>
    /// <returns>One answer per text, in order.</returns>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    /// <exception cref="ArgumentException">A text is null, or a bad policy (see <see cref="ResolvePolicy"/>).</exception>
    public ImmutableArray<Classification> Classify(IReadOnlyList<string> texts, PolicySpec? policy = null) =>
        Classify(texts, Resolved(policy));

    /// <summary>Classifies texts under a policy object built by the caller (e.g. with its own thresholds).</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="policy">A deployable policy that fits <see cref="ExitCount"/> exits.</param>
    /// <returns>One answer per text, in order.</returns>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    /// <exception cref="ArgumentException">A text is null, or the policy is an oracle or does not fit the model.</exception>
    public ImmutableArray<Classification> Classify(IReadOnlyList<string> texts, ExitPolicy policy) =>
        Classify(texts, policy, _maxBatchTokens, _batchSize);

    /// <summary>
    /// Classifies texts under a policy object, with this call's own batch limits instead of the
    /// options' (a scoring worker answers each chunk as its submitter's settings say).
    /// </summary>
    /// <param name="texts">The texts.</param>
    /// <param name="policy">A deployable policy that fits <see cref="ExitCount"/> exits.</param>
    /// <param name="maxBatchTokens">The token budget of a batch, ≥ 1 (<see cref="EarlyExitClassifierOptions.MaxBatchTokens"/>).</param>
    /// <param name="batchSize">The most texts in a batch, ≥ 1 (<see cref="EarlyExitClassifierOptions.BatchSize"/>).</param>
    /// <returns>One answer per text, in order.</returns>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    /// <exception cref="ArgumentException">A text is null, a limit is below 1, or the policy is an oracle or does not fit the model.</exception>
    public ImmutableArray<Classification> Classify(IReadOnlyList<string> texts, ExitPolicy policy, int maxBatchTokens, int batchSize)
    {
        CheckCall(texts, policy);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _turn.Wait();
        try
        {
            return Run(texts, policy, maxBatchTokens, batchSize, CancellationToken.None);
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Classifies one text without blocking the calling thread.</summary>
    /// <param name="text">The text.</param>
    /// <param name="policy">The policy; null for <see cref="DefaultPolicy"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for the model.</param>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    /// <exception cref="ArgumentException">A bad policy (see <see cref="ResolvePolicy"/>).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public async Task<Classification> ClassifyAsync(string text, PolicySpec? policy = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return (await ClassifyAsync([text], policy, cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>Classifies texts without blocking the calling thread: the batches run on the thread pool.</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="policy">The policy; null for <see cref="DefaultPolicy"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for the model and stops between batches.</param>
    /// <returns>One answer per text, in order.</returns>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    /// <exception cref="ArgumentException">A text is null, or a bad policy (see <see cref="ResolvePolicy"/>).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public async Task<ImmutableArray<Classification>> ClassifyAsync(IReadOnlyList<string> texts, PolicySpec? policy = null,
        CancellationToken cancellationToken = default)
    {
        ExitPolicy resolved = Resolved(policy);
        CheckCall(texts, resolved);
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => Run(texts, resolved, _maxBatchTokens, _batchSize, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>The typed answer of a runtime result of this model (e.g. from the server's schedulers).</summary>
    /// <param name="result">A result of <see cref="Model"/>.</param>
    public Classification Describe(ExitResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new Classification(Labels[result.Prediction], result.Prediction, result.Probabilities, result.LayersExecuted,
            ExitCount, result.ComputeFraction);
    }

    /// <summary>Waits for the call in progress, then frees the backend (ONNX Runtime's sessions) and the encoder's tensors.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _turn.Wait();
        try
        {
            if (_disposed) return;
            _disposed = true;
            (Model as IDisposable)?.Dispose();
            _checkpoint.Model.Dispose();
        }
        finally
        {
            // Callers waiting for a turn get it, see _disposed and throw; the semaphore itself stays.
            _turn.Release();
        }
    }

    private ExitPolicy Resolved(PolicySpec? policy)
    {
        ThrowIfDisposed();
        return ResolvePolicy(policy);
    }

    private void CheckCall(IReadOnlyList<string> texts, ExitPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(policy);
        ThrowIfDisposed();
        for (int i = 0; i < texts.Count; i++)
        {
            if (texts[i] is null) throw new ArgumentException($"texts[{i}] is null; every text must be a string", nameof(texts));
        }
    }

    // Runs under the turn: the model is used by one call at a time.
    private ImmutableArray<Classification> Run(IReadOnlyList<string> texts, ExitPolicy policy, int maxBatchTokens, int batchSize, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var runtime = new EarlyExitRuntime<TokenBatch>(Model, policy);
        // Sorted by length and cut under the token budget (TokenBudgetBatches), so a batch pads little;
        // a fixed-shape tokenizer pads every row to MaxLength, and then the budget counts that.
        EncodedText[] rows = new EncodedText[texts.Count];
        int[] lengths = new int[texts.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = Tokenizer.EncodeRow(texts[i]);
            lengths[i] = Tokenizer.Options.PadToMaxLength ? Tokenizer.Options.MaxLength : rows[i].Length;
        }
        Classification[] answers = TokenBudgetBatches.RunInOrder<Classification>(lengths, maxBatchTokens, batchSize, batch =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batchRows = new EncodedText[batch.Length];
            for (int i = 0; i < batchRows.Length; i++) batchRows[i] = rows[batch[i]];
            return runtime.Run(Tokenizer.Collate(batchRows)).Select(Describe).ToArray();
        });
        return ImmutableCollectionsMarshal.AsImmutableArray(answers);
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
            throw new ObjectDisposedException(nameof(EarlyExitClassifier), $"the classifier of {Folder.Path} was disposed; load the model folder again");
    }
}
