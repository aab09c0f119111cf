using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Models;

/// <summary>
/// Multi-head scaled dot-product self-attention (Vaswani et al. 2017, eq. 1):
/// softmax(Q Kᵀ / √d + mask) V per head, heads concatenated. Keys <c>query</c>, <c>key</c>, <c>value</c>.
/// </summary>
internal sealed class BertSelfAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
    private readonly Dropout dropout;
    private readonly long _heads;
    private readonly long _headSize;

    internal BertSelfAttention(EncoderConfig config) : base(nameof(BertSelfAttention))
    {
        query = nn.Linear(config.HiddenSize, config.HiddenSize);
        key = nn.Linear(config.HiddenSize, config.HiddenSize);
        value = nn.Linear(config.HiddenSize, config.HiddenSize);
        dropout = nn.Dropout(config.AttentionDropout);
        _heads = config.HeadCount;
        _headSize = config.HeadSize;
        RegisterComponents();
    }

    /// <param name="hidden">(batch, seq, hidden).</param>
    /// <param name="attentionBias">(batch, 1, 1, seq): 0 for kept keys, the dtype's minimum for padding.</param>
    /// <returns>(batch, seq, hidden), the heads' contexts concatenated (before the output projection).</returns>
    public override Tensor forward(Tensor hidden, Tensor attentionBias)
    {
        using var scope = NewDisposeScope();
        long batch = hidden.shape[0], seq = hidden.shape[1];
        // (batch, seq, hidden) → (batch, seq, heads, headSize) → (batch, heads, seq, headSize)
        Tensor Split(Tensor x) => x.view(batch, seq, _heads, _headSize).transpose(1, 2);
        Tensor q = Split(query.call(hidden));
        Tensor k = Split(key.call(hidden));
        Tensor v = Split(value.call(hidden));
        // (batch, heads, seq, seq): query i's score for key j; the bias broadcasts over heads and queries.
        Tensor scores = q.matmul(k.transpose(-1, -2)) / Math.Sqrt(_headSize) + attentionBias;
        Tensor probabilities = dropout.call(scores.softmax(-1));
        // (batch, heads, seq, headSize) → (batch, seq, heads, headSize) → (batch, seq, hidden)
        Tensor context = probabilities.matmul(v).transpose(1, 2).reshape(batch, seq, _heads * _headSize);
        return context.MoveToOuterDisposeScope();
    }
}
