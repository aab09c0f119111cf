using static TorchSharp.torch;

namespace EarlyExit.Torch.Models;

/// <summary>Self-attention plus its output projection and residual LayerNorm; keys <c>self</c> and <c>output</c>.</summary>
internal sealed class BertAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly BertSelfAttention self;
    private readonly BertSublayerOutput output;

    internal BertAttention(EncoderConfig config) : base(nameof(BertAttention))
    {
        self = new BertSelfAttention(config);
        output = new BertSublayerOutput(config.HiddenSize, config);
        RegisterComponents();
    }

    /// <param name="hidden">(batch, seq, hidden).</param>
    /// <param name="attentionBias">(batch, 1, 1, seq), see <see cref="BertSelfAttention"/>.</param>
    /// <returns>(batch, seq, hidden).</returns>
    public override Tensor forward(Tensor hidden, Tensor attentionBias)
    {
        using var scope = NewDisposeScope();
        return output.call(self.call(hidden, attentionBias), hidden).MoveToOuterDisposeScope();
    }
}
