using System.Collections.Immutable;
using EarlyExit.Data.Tokenization;
using EarlyExit.Onnx.Export;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Runtime;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace EarlyExit.Onnx.Runtime;

/// <summary>
/// The ONNX Runtime backend: a multi-exit encoder exported per segment
/// (<see cref="OnnxExporter.ExportSegments"/>), one ORT session per segment, seen as an
/// <see cref="IMultiExitModel{TInput}"/> of tokenized text. Run it with
/// <see cref="EarlyExitRuntime{TInput}"/>: the same exit loop, row compaction and FLOP counting as
/// the TorchSharp backend (<see cref="EncoderExitModel"/>), with ORT computing the layers.
/// </summary>
/// <remarks>
/// <para>The rows' state stays an <see cref="ExitBatchState"/> of CPU TorchSharp tensors: ORT reads
/// each segment's inputs from those tensors and writes its outputs into tensors allocated for it,
/// through ORT values that share their memory (no copy either way). So the runtime compacts rows
/// with the same <c>index_select</c> for both backends, and one exit loop serves both.</para>
/// <para><see cref="RunFirstStep"/> embeds a batch and runs layer 0 and exit 0 in one ORT call (the
/// fused first segment); <see cref="RunLayerAndExit"/> runs segment k (layer k and exit head k) in one ORT call;
/// <see cref="RunLayer"/> and <see cref="RunExit"/> exist for callers that need them apart (the
/// exit-trace recorder, test doubles): the first runs segment k and drops its logits, the second
/// runs head k's own graph.</para>
/// <para>Thread-safe as ORT sessions are: concurrent runs share the sessions. Dispose it to free them.</para>
/// </remarks>
public sealed class OnnxExitModel : IMultiExitModel<TokenBatch>, IDisposable
{
    private static readonly string[] EmbeddingInputs = [OnnxTensorNames.InputIds, OnnxTensorNames.TokenTypeIds, OnnxTensorNames.AttentionMask];
    private static readonly string[] EmbeddingOutputs = [OnnxTensorNames.Hidden, OnnxTensorNames.AttentionBias];
    private static readonly string[] FirstOutputs = [OnnxTensorNames.HiddenOut, OnnxTensorNames.AttentionBias, OnnxTensorNames.Logits];
    private static readonly string[] LayerInputs = [OnnxTensorNames.Hidden, OnnxTensorNames.AttentionBias];
    private static readonly string[] LayerOutputs = [OnnxTensorNames.HiddenOut, OnnxTensorNames.Logits];
    private static readonly string[] ExitInputs = [OnnxTensorNames.Hidden, OnnxTensorNames.AttentionBias];
    private static readonly string[] ExitOutputs = [OnnxTensorNames.Logits];

    private readonly InferenceSession _embeddings;
    private readonly InferenceSession _first;
    private readonly ImmutableArray<InferenceSession> _layers;
    private readonly ImmutableArray<InferenceSession> _exits;
    private readonly RunOptions _runOptions = new();
    private readonly double _exitFlops;

    private OnnxExitModel(EncoderConfig config, OnnxBackendOptions options,
        InferenceSession embeddings, InferenceSession first, ImmutableArray<InferenceSession> layers, ImmutableArray<InferenceSession> exits)
    {
        Config = config;
        Options = options;
        _embeddings = embeddings;
        _first = first;
        _layers = layers;
        _exits = exits;
        _exitFlops = EncoderFlops.Exit(config);
    }

    /// <summary>Exports <paramref name="encoder"/> per segment and opens one session per segment.</summary>
    /// <param name="encoder">The model; read once, not kept.</param>
    /// <param name="options">ORT settings; null for the defaults.</param>
    /// <returns>The backend; the caller disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="encoder"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (<see cref="OnnxBackendOptions.Validate"/>).</exception>
    public static OnnxExitModel Create(MultiExitEncoder encoder, OnnxBackendOptions? options = null) =>
        Create(OnnxExporter.ExportSegments(encoder, options?.Precision ?? OnnxPrecision.Float32), options);

    /// <summary>Opens one ORT session per segment of <paramref name="segments"/>.</summary>
    /// <param name="segments">Exported segments, e.g. from <see cref="OnnxExporter.ExportSegments"/>.</param>
    /// <param name="options">ORT settings; null for the defaults.</param>
    /// <returns>The backend; the caller disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="segments"/> is null.</exception>
    /// <exception cref="ArgumentException">The segments do not hold one layer and one exit graph per layer of their config.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="OnnxRuntimeException">ORT rejects a graph.</exception>
    public static OnnxExitModel Create(OnnxSegments segments, OnnxBackendOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(segments);
        options ??= new OnnxBackendOptions();
        int layers = segments.Config.LayerCount;
        if (segments.Layers.Length != layers || segments.Exits.Length != layers)
            throw new ArgumentException(
                $"segments must hold {layers} layer and {layers} exit graphs (the config's layers); got {segments.Layers.Length} and {segments.Exits.Length}",
                nameof(segments));
        using SessionOptions sessionOptions = options.CreateSessionOptions();
        var opened = new List<InferenceSession>();
        try
        {
            InferenceSession Open(global::Onnx.ModelProto model)
            {
                var session = new InferenceSession(model.ToByteArray(), sessionOptions);
                opened.Add(session);
                return session;
            }
            InferenceSession embeddings = Open(segments.Embeddings);
            InferenceSession first = Open(segments.First);
            ImmutableArray<InferenceSession> layerSessions = [.. segments.Layers.Select(Open)];
            ImmutableArray<InferenceSession> exitSessions = [.. segments.Exits.Select(Open)];
            return new OnnxExitModel(segments.Config, options, embeddings, first, layerSessions, exitSessions);
        }
        catch
        {
            foreach (InferenceSession session in opened) session.Dispose();
            throw;
        }
    }

    /// <summary>The exported encoder's architecture.</summary>
    public EncoderConfig Config { get; }

    /// <summary>The ORT settings the sessions were opened with.</summary>
    public OnnxBackendOptions Options { get; }

    /// <inheritdoc/>
    public int ExitCount => Config.LayerCount;

    /// <inheritdoc/>
    public int ClassCount => Config.ClassCount;

    /// <summary>Embeds a tokenized batch with the embeddings segment: the input of layer 0, with the mask, the attention bias and each row's real token count.</summary>
    /// <param name="batch">Tokenized text, e.g. from <see cref="TextTokenizer.EncodeBatch(IReadOnlyList{string})"/>.</param>
    /// <returns>(batch, seq, hidden) embeddings, (batch, seq) int64 mask and (batch, 1, 1, seq) bias, as CPU tensors in the caller's dispose scope.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="batch"/> is null.</exception>
    /// <exception cref="ArgumentException">The batch is longer than the encoder's positions.</exception>
    public ExitBatchState Begin(TokenBatch batch)
    {
        var (mask, hidden, bias) = TokenTensors(batch);
        RunOnTokens(_embeddings, batch, mask, EmbeddingOutputs, [hidden, bias]);
        return ExitBatchState.Start(hidden, mask, bias, batch.Lengths.Span);
    }

    /// <summary>
    /// Starts a batch and runs its first step in one ORT call: the fused segment of the embeddings,
    /// layer 0 and exit head 0 (<see cref="OnnxSegments.First"/>), the same numbers as
    /// <see cref="Begin"/> followed by <see cref="RunLayerAndExit"/>(0) in one call instead of two.
    /// </summary>
    /// <param name="batch">Tokenized text.</param>
    /// <returns>The rows holding layer 0's output (with mask and bias, as <see cref="Begin"/> gives), and exit 0's logits.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="batch"/> is null.</exception>
    /// <exception cref="ArgumentException">The batch is longer than the encoder's positions.</exception>
    public LayerStep RunFirstStep(TokenBatch batch)
    {
        var (mask, hidden, bias) = TokenTensors(batch);
        Tensor logits = empty([batch.BatchSize, Config.ClassCount], ScalarType.Float32);
        RunOnTokens(_first, batch, mask, FirstOutputs, [hidden, bias, logits]);
        return new LayerStep(ExitBatchState.Start(hidden, mask, bias, batch.Lengths.Span), logits);
    }

    /// <summary>Runs segment <paramref name="layerIndex"/>: layer k and exit head k in one ORT call.</summary>
    /// <param name="layerIndex">0-based layer, in [0, <see cref="ExitCount"/>).</param>
    /// <param name="state">The rows, from <see cref="Begin"/> or a previous step.</param>
    /// <returns>The rows holding layer k's output, and exit k's (rows, classes) logits.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layerIndex"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The state has no attention bias (it was not started by <see cref="Begin"/>).</exception>
    public LayerStep RunLayerAndExit(int layerIndex, ExitBatchState state)
    {
        CheckIndex(layerIndex, nameof(layerIndex));
        var (hidden, bias) = Parts(state);
        Tensor output = empty(hidden.shape, ScalarType.Float32);
        Tensor logits = empty([state.RowCount, Config.ClassCount], ScalarType.Float32);
        Run(_layers[layerIndex], LayerInputs, [hidden, bias], LayerOutputs, [output, logits]);
        return new LayerStep(state.WithHidden(output), logits);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layerIndex"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The state has no attention bias.</exception>
    public ExitBatchState RunLayer(int layerIndex, ExitBatchState state) => RunLayerAndExit(layerIndex, state).State;

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="exitIndex"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The state has no attention bias.</exception>
    public Tensor RunExit(int exitIndex, ExitBatchState state)
    {
        CheckIndex(exitIndex, nameof(exitIndex));
        var (hidden, bias) = Parts(state);
        Tensor logits = empty([state.RowCount, Config.ClassCount], ScalarType.Float32);
        Run(_exits[exitIndex], ExitInputs, [hidden, bias], ExitOutputs, [logits]);
        return logits;
    }

    /// <summary>FLOPs of one layer for an input of <paramref name="tokens"/> real tokens (<see cref="EncoderFlops.Layer(EncoderConfig, int)"/>), as the TorchSharp backend counts them.</summary>
    /// <param name="layerIndex">0-based layer (all cost the same).</param>
    /// <param name="tokens">The input's real tokens.</param>
    public double LayerFlops(int layerIndex, int tokens) => EncoderFlops.Layer(Config, tokens);

    /// <summary>FLOPs of one exit head (<see cref="EncoderFlops.Exit"/>; independent of the tokens).</summary>
    /// <param name="exitIndex">0-based exit (all cost the same).</param>
    /// <param name="tokens">Unused: a head classifies one pooled vector.</param>
    public double ExitFlops(int exitIndex, int tokens) => _exitFlops;

    /// <summary>Frees the ORT sessions.</summary>
    public void Dispose()
    {
        _embeddings.Dispose();
        _first.Dispose();
        foreach (InferenceSession session in _layers) session.Dispose();
        foreach (InferenceSession session in _exits) session.Dispose();
        _runOptions.Dispose();
    }

    /// <summary>One ORT call whose inputs and outputs live in the given tensors (shared, not copied).</summary>
    private void Run(InferenceSession session, string[] inputNames, Tensor[] inputs, string[] outputNames, Tensor[] outputs)
    {
        var inputValues = new OrtValue[inputs.Length];
        try
        {
            for (int i = 0; i < inputs.Length; i++) inputValues[i] = TensorValues.Wrap(inputs[i]);
            Run(session, inputNames, inputValues, outputNames, outputs);
        }
        finally
        {
            foreach (OrtValue? value in inputValues) value?.Dispose();
        }
    }

    /// <summary>One ORT call on the given input values, writing its outputs into the given tensors (shared, not copied).</summary>
    private void Run(InferenceSession session, string[] inputNames, OrtValue[] inputValues, string[] outputNames, Tensor[] outputs)
    {
        var outputValues = new OrtValue[outputs.Length];
        try
        {
            for (int i = 0; i < outputs.Length; i++) outputValues[i] = TensorValues.Wrap(outputs[i]);
            session.Run(_runOptions, inputNames, inputValues, outputNames, outputValues);
        }
        finally
        {
            foreach (OrtValue? value in outputValues) value?.Dispose();
        }
    }

    /// <summary>
    /// Runs a segment that reads the tokens: ids and token types straight from the batch's arrays
    /// (ORT only reads inputs), the mask from <paramref name="mask"/>, which the state keeps.
    /// </summary>
    private void RunOnTokens(InferenceSession session, TokenBatch batch, Tensor mask, string[] outputNames, Tensor[] outputs)
    {
        long[] shape = [batch.BatchSize, batch.SequenceLength];
        using OrtValue ids = TensorValues.ReadOnly(batch.InputIds, shape);
        using OrtValue types = TensorValues.ReadOnly(batch.TokenTypeIds, shape);
        using OrtValue maskValue = TensorValues.Wrap(mask);
        Run(session, EmbeddingInputs, [ids, types, maskValue], outputNames, outputs);
    }

    /// <summary>A batch's (rows, seq) mask, which the state keeps, and the (rows, seq, hidden) and (rows, 1, 1, seq) tensors ORT fills.</summary>
    private (Tensor Mask, Tensor Hidden, Tensor Bias) TokenTensors(TokenBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.SequenceLength > Config.MaxPositions)
            throw new ArgumentException($"the batch has {batch.SequenceLength} tokens per row; the model has {Config.MaxPositions} positions", nameof(batch));
        long rows = batch.BatchSize, seq = batch.SequenceLength;
        return (tensor(batch.AttentionMask.ToArray(), [rows, seq]),
            empty([rows, seq, Config.HiddenSize], ScalarType.Float32),
            empty([rows, 1, 1, seq], ScalarType.Float32));
    }

    /// <summary>What a segment reads: the hidden states and the attention bias (the heads pool over the tokens the bias marks).</summary>
    private static (Tensor Hidden, Tensor Bias) Parts(ExitBatchState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Tensor bias = state.AttentionBias
            ?? throw new ArgumentException("a text encoder's state needs an attention bias; got none", nameof(state));
        return (state.Hidden, bias);
    }

    private void CheckIndex(int index, string name)
    {
        if ((uint)index >= (uint)ExitCount)
            throw new ArgumentOutOfRangeException(name, index,
                $"{name} must be between 0 and {ExitCount - 1} (the model has {ExitCount} layers); got {index}");
    }
}
