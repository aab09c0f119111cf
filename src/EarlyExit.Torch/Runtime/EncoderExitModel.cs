using EarlyExit.Data.Tokenization;
using EarlyExit.Torch.Models;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Runtime;

/// <summary>
/// A <see cref="MultiExitEncoder"/> as an <see cref="IMultiExitModel{TInput}"/> of tokenized text:
/// what the early-exit runtime and the exit-trace recorder run.
/// </summary>
/// <remarks>
/// <para><see cref="Begin"/> copies the batch's ids, token types and mask to the encoder's device,
/// embeds them and computes the attention bias once; later layers read the bias from the state,
/// compacted with its rows. A row's size for FLOPs is its real token count
/// (<see cref="TokenBatch.Lengths"/>), counted by <see cref="EncoderFlops"/>.</para>
/// <para>Inference only: the constructor puts the encoder in evaluation mode (no dropout), and
/// <see cref="Begin"/> refuses an encoder switched back to training mode since.</para>
/// </remarks>
public sealed class EncoderExitModel : IMultiExitModel<TokenBatch>
{
    private readonly Device _device;
    private readonly ScalarType _dtype;
    private readonly double _exitFlops;

    /// <summary>Wraps <paramref name="encoder"/> and puts it in evaluation mode.</summary>
    /// <param name="encoder">The model; it stays owned by the caller (not disposed here).</param>
    /// <exception cref="ArgumentNullException"><paramref name="encoder"/> is null.</exception>
    public EncoderExitModel(MultiExitEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        Encoder = encoder;
        encoder.eval();
        var first = encoder.parameters().First();
        _device = first.device;
        _dtype = first.dtype;
        _exitFlops = EncoderFlops.Exit(encoder.Config);
    }

    /// <summary>The wrapped encoder.</summary>
    public MultiExitEncoder Encoder { get; }

    /// <inheritdoc/>
    public int ExitCount => Encoder.LayerCount;

    /// <inheritdoc/>
    public int ClassCount => Encoder.Config.ClassCount;

    /// <summary>Embeds a tokenized batch: the input of layer 0, with the mask, the attention bias and each row's real token count.</summary>
    /// <param name="batch">Tokenized text, e.g. from <see cref="TextTokenizer.EncodeBatch(IReadOnlyList{string})"/>.</param>
    /// <returns>(batch, seq, hidden) embeddings, (batch, seq) mask and (batch, 1, 1, seq) bias, on the encoder's device.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="batch"/> is null.</exception>
    /// <exception cref="ArgumentException">The batch is longer than the encoder's positions.</exception>
    /// <exception cref="InvalidOperationException">The encoder is in training mode.</exception>
    public ExitBatchState Begin(TokenBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (Encoder.training)
            throw new InvalidOperationException("the encoder is in training mode (dropout on); call eval() on it before running inference");
        long rows = batch.BatchSize, seq = batch.SequenceLength;
        Tensor ids = tensor(batch.InputIds.ToArray(), [rows, seq], device: _device);
        Tensor types = tensor(batch.TokenTypeIds.ToArray(), [rows, seq], device: _device);
        Tensor mask = tensor(batch.AttentionMask.ToArray(), [rows, seq], device: _device);
        Tensor bias = MultiExitEncoder.AttentionBias(mask, _dtype);
        return ExitBatchState.Start(Encoder.Embed(ids, types), mask, bias, batch.Lengths.Span);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The state has no attention bias (it was not started by <see cref="Begin"/>).</exception>
    public ExitBatchState RunLayer(int layerIndex, ExitBatchState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Tensor bias = state.AttentionBias
            ?? throw new ArgumentException("a text encoder's state needs an attention bias; got none", nameof(state));
        return state.WithHidden(Encoder.RunLayer(layerIndex, state.Hidden, bias));
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The state has no attention mask (it was not started by <see cref="Begin"/>).</exception>
    public Tensor RunExit(int exitIndex, ExitBatchState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Tensor mask = state.AttentionMask
            ?? throw new ArgumentException("a text encoder's state needs an attention mask; got none", nameof(state));
        return Encoder.RunExit(exitIndex, state.Hidden, mask);
    }

    /// <summary>FLOPs of one layer for an input of <paramref name="tokens"/> real tokens (<see cref="EncoderFlops.Layer(EncoderConfig, int)"/>; every layer has the same shape).</summary>
    /// <param name="layerIndex">0-based layer (all cost the same).</param>
    /// <param name="tokens">The input's real tokens.</param>
    public double LayerFlops(int layerIndex, int tokens) => EncoderFlops.Layer(Encoder.Config, tokens);

    /// <summary>FLOPs of one exit head (<see cref="EncoderFlops.Exit"/>; independent of the tokens).</summary>
    /// <param name="exitIndex">0-based exit (all cost the same).</param>
    /// <param name="tokens">Unused: a head classifies one pooled vector.</param>
    public double ExitFlops(int exitIndex, int tokens) => _exitFlops;
}
