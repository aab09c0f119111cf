using EarlyExit.Torch.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Models;

/// <summary>
/// A BERT-style encoder with an exit head after every layer. Its parts can be run one at a
/// time — <see cref="Embed"/>, <see cref="RunLayer"/> k, <see cref="RunExit"/> k — so an
/// early-exit runtime computes only the layers an input needs; <see cref="nn.Module{T1,T2,T3,TResult}.forward"/>
/// runs everything for training and exit traces.
/// </summary>
/// <remarks>
/// Parameter names follow Hugging Face BERT (<c>embeddings.word_embeddings.weight</c>,
/// <c>encoder.layer.3.attention.self.query.weight</c>, …); exit head k's are
/// <c>exits.k.dense.*</c> and <c>exits.k.classifier.*</c>. Indices are 0-based: layer k is
/// followed by exit k. Call <c>eval()</c> and run under <c>torch.no_grad()</c> for inference;
/// in training mode dropout is active.
/// </remarks>
public sealed class MultiExitEncoder : nn.Module<Tensor, Tensor, Tensor, Tensor>, IHeadInputNetwork
{
    private readonly BertEmbeddings embeddings;
    private readonly BertEncoder encoder;
    private readonly ModuleList<ExitHead> exits;

    /// <summary>Creates a randomly initialised model (TorchSharp's default initialisation).</summary>
    /// <param name="config">Sizes; validated here.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size in <paramref name="config"/> is invalid.</exception>
    public MultiExitEncoder(EncoderConfig config) : base(nameof(MultiExitEncoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        embeddings = new BertEmbeddings(config);
        encoder = new BertEncoder(config);
        exits = nn.ModuleList(Enumerable.Range(0, config.LayerCount)
            .Select(k => new ExitHead(config, k == config.LayerCount - 1 ? config.FinalHeadActivation : HeadActivation.Tanh, config.PoolingOf(k)))
            .ToArray());
        RegisterComponents();
    }

    /// <summary>The sizes this model was built with.</summary>
    public EncoderConfig Config { get; }

    /// <summary>M, the number of layers, equal to the number of exits.</summary>
    public int LayerCount => Config.LayerCount;

    /// <summary>
    /// The additive attention bias for a mask: 0 where the mask is 1, the minimum of
    /// <paramref name="dtype"/> where it is 0 (as Hugging Face BERT), so softmax gives padding
    /// keys zero weight. Compute it once per batch and compact it with the batch's rows.
    /// </summary>
    /// <param name="attentionMask">(batch, seq), 1 for tokens and 0 for padding.</param>
    /// <param name="dtype">The hidden states' dtype. Default float32.</param>
    /// <returns>(batch, 1, 1, seq), broadcasting over heads and query positions.</returns>
    /// <exception cref="ArgumentException">The mask is not 2-D.</exception>
    public static Tensor AttentionBias(Tensor attentionMask, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(attentionMask);
        if (attentionMask.dim() != 2)
            throw new ArgumentException($"attentionMask must be (batch, seq); got shape ({string.Join(", ", attentionMask.shape)})", nameof(attentionMask));
        using var scope = NewDisposeScope();
        double min = dtype switch
        {
            ScalarType.Float64 => double.MinValue,
            ScalarType.Float16 => -65504.0,
            ScalarType.BFloat16 => -3.3895313892515355e38,
            _ => float.MinValue,
        };
        // (1 − mask) · min: 0 for tokens, min for padding; (batch, seq) → (batch, 1, 1, seq).
        Tensor bias = (1 - attentionMask.to_type(dtype)) * min;
        return bias.unsqueeze(1).unsqueeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>Runs the embedding layer.</summary>
    /// <param name="inputIds">(batch, seq) int64 word-piece ids; seq ≤ <see cref="EncoderConfig.MaxSequenceLength"/>.</param>
    /// <param name="tokenTypeIds">(batch, seq) int64 segment ids, or null for all zeros (single sentences); ignored when the model has no token types.</param>
    /// <returns>(batch, seq, hidden), the input of layer 0.</returns>
    /// <exception cref="ArgumentException">The ids are not 2-D int64, the shapes differ, or seq exceeds the positions.</exception>
    public Tensor Embed(Tensor inputIds, Tensor? tokenTypeIds = null)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.dim() != 2 || inputIds.dtype != ScalarType.Int64)
            throw new ArgumentException($"inputIds must be (batch, seq) int64; got shape ({string.Join(", ", inputIds.shape)}) {inputIds.dtype}", nameof(inputIds));
        if (inputIds.shape[1] > Config.MaxSequenceLength)
            throw new ArgumentException($"inputIds has {inputIds.shape[1]} tokens per row; the model has {Config.MaxSequenceLength} positions", nameof(inputIds));
        if (tokenTypeIds is not null && !tokenTypeIds.shape.SequenceEqual(inputIds.shape))
            throw new ArgumentException($"tokenTypeIds must have the shape of inputIds ({string.Join(", ", inputIds.shape)}); got ({string.Join(", ", tokenTypeIds.shape)})", nameof(tokenTypeIds));
        using var scope = NewDisposeScope();
        Tensor types = tokenTypeIds ?? zeros_like(inputIds);
        return embeddings.call(inputIds, types).MoveToOuterDisposeScope();
    }

    /// <summary>Runs layer <paramref name="layerIndex"/> alone.</summary>
    /// <param name="layerIndex">0-based layer, in [0, <see cref="LayerCount"/>).</param>
    /// <param name="hidden">(batch, seq, hidden), the embeddings or the previous layer's output.</param>
    /// <param name="attentionBias">(batch, 1, 1, seq) from <see cref="AttentionBias"/>, rows matching <paramref name="hidden"/>.</param>
    /// <returns>(batch, seq, hidden).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layerIndex"/> is out of range.</exception>
    public Tensor RunLayer(int layerIndex, Tensor hidden, Tensor attentionBias)
    {
        CheckIndex(layerIndex, nameof(layerIndex));
        return encoder[layerIndex].call(hidden, attentionBias);
    }

    /// <summary>Runs exit head <paramref name="exitIndex"/> on the output of layer <paramref name="exitIndex"/>.</summary>
    /// <param name="exitIndex">0-based exit, in [0, <see cref="LayerCount"/>).</param>
    /// <param name="hidden">(batch, seq, hidden), the output of layer <paramref name="exitIndex"/>.</param>
    /// <param name="attentionMask">(batch, seq), 1 for tokens and 0 for padding, rows matching <paramref name="hidden"/>.</param>
    /// <returns>(batch, classes) logits.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="exitIndex"/> is out of range.</exception>
    public Tensor RunExit(int exitIndex, Tensor hidden, Tensor attentionMask)
    {
        CheckIndex(exitIndex, nameof(exitIndex));
        return exits[exitIndex].call(hidden, attentionMask);
    }

    /// <summary>
    /// What exit head <paramref name="exitIndex"/> reads: layer <paramref name="exitIndex"/>'s token
    /// states pooled to one vector per row (the head's pooling, no parameters). With a frozen
    /// backbone this is all a head needs, so training can cache it (docs/algorithms.md §3.6).
    /// </summary>
    /// <param name="exitIndex">0-based exit, in [0, <see cref="LayerCount"/>).</param>
    /// <param name="hidden">(batch, seq, hidden), the output of layer <paramref name="exitIndex"/>.</param>
    /// <param name="attentionMask">(batch, seq), 1 for tokens and 0 for padding.</param>
    /// <returns>(batch, hidden).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="exitIndex"/> is out of range.</exception>
    public Tensor PoolForExit(int exitIndex, Tensor hidden, Tensor attentionMask)
    {
        CheckIndex(exitIndex, nameof(exitIndex));
        return exits[exitIndex].Pool(hidden, attentionMask);
    }

    /// <summary>Runs exit head <paramref name="exitIndex"/>'s parameters on its pooled input: <see cref="RunExit"/> = this of <see cref="PoolForExit"/>.</summary>
    /// <param name="exitIndex">0-based exit, in [0, <see cref="LayerCount"/>).</param>
    /// <param name="pooled">(batch, hidden), from <see cref="PoolForExit"/>.</param>
    /// <returns>(batch, classes) logits.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="exitIndex"/> is out of range.</exception>
    public Tensor RunExitOnPooled(int exitIndex, Tensor pooled)
    {
        CheckIndex(exitIndex, nameof(exitIndex));
        return exits[exitIndex].Classify(pooled);
    }

    /// <summary>Runs every layer and every exit.</summary>
    /// <param name="inputIds">(batch, seq) int64 word-piece ids.</param>
    /// <param name="tokenTypeIds">(batch, seq) int64 segment ids.</param>
    /// <param name="attentionMask">(batch, seq), 1 for tokens and 0 for padding.</param>
    /// <returns>(exits, batch, classes) logits, exit k after layer k.</returns>
    public override Tensor forward(Tensor inputIds, Tensor tokenTypeIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        Tensor bias = AttentionBias(attentionMask, embeddings.parameters().First().dtype);
        Tensor hidden = Embed(inputIds, tokenTypeIds);
        var logits = new Tensor[LayerCount];
        for (int k = 0; k < LayerCount; k++)
        {
            hidden = RunLayer(k, hidden, bias);
            logits[k] = RunExit(k, hidden, attentionMask);
        }
        return stack(logits).MoveToOuterDisposeScope(); // (exits, batch, classes)
    }

    nn.Module IMultiExitNetwork.Module => this;

    int IMultiExitNetwork.ExitCount => LayerCount;

    int IMultiExitNetwork.ClassCount => Config.ClassCount;

    /// <summary>The trainer's forward: a <see cref="TokenTrainingSet"/> batch is (ids, segment ids, mask).</summary>
    Tensor IMultiExitNetwork.Forward(TrainingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return call(batch.Input(0, 3, nameof(MultiExitEncoder)), batch.Inputs[1], batch.Inputs[2]);
    }

    // The head-input cache's view (docs/algorithms.md §3.6): what each head reads, and the heads on it.
    int IHeadInputNetwork.HeadInputSize => Config.HiddenSize;

    /// <summary>Every layer's pooled states for a <see cref="TokenTrainingSet"/> batch: (exits, batch, hidden).</summary>
    Tensor IHeadInputNetwork.HeadInputs(TrainingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Tensor ids = batch.Input(0, 3, nameof(MultiExitEncoder)), mask = batch.Inputs[2];
        using var scope = NewDisposeScope();
        Tensor bias = AttentionBias(mask, embeddings.parameters().First().dtype);
        Tensor hidden = Embed(ids, batch.Inputs[1]);
        var pooled = new Tensor[LayerCount];
        for (int k = 0; k < LayerCount; k++)
        {
            hidden = RunLayer(k, hidden, bias);
            pooled[k] = PoolForExit(k, hidden, mask);
        }
        return stack(pooled).MoveToOuterDisposeScope();
    }

    /// <summary>Every exit head on its pooled input (exits, batch, hidden): (exits, batch, classes).</summary>
    Tensor IHeadInputNetwork.ExitLogits(Tensor headInputs)
    {
        ArgumentNullException.ThrowIfNull(headInputs);
        using var scope = NewDisposeScope();
        return stack(Enumerable.Range(0, LayerCount).Select(k => RunExitOnPooled(k, headInputs[k]))).MoveToOuterDisposeScope();
    }

    private void CheckIndex(int index, string name)
    {
        if ((uint)index >= (uint)LayerCount)
            throw new ArgumentOutOfRangeException(name, index,
                $"{name} must be between 0 and {LayerCount - 1} (the model has {LayerCount} layers); got {index}");
    }
}
