using static TorchSharp.torch;

namespace EarlyExit.Torch.Models;

/// <summary>
/// One post-LayerNorm transformer layer (Devlin et al. 2019): h' = LN(h + Attn(h)),
/// out = LN(h' + W₂ GELU(W₁ h')). Keys <c>attention</c>, <c>intermediate</c>, <c>output</c>.
/// </summary>
internal sealed class BertLayer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly BertAttention attention;
    private readonly BertIntermediate intermediate;
    private readonly BertSublayerOutput output;

    internal BertLayer(EncoderConfig config) : base(nameof(BertLayer))
    {
        attention = new BertAttention(config);
        intermediate = new BertIntermediate(config);
        output = new BertSublayerOutput(config.IntermediateSize, config);
        RegisterComponents();
    }

    /// <param name="hidden">(batch, seq, hidden).</param>
    /// <param name="attentionBias">(batch, 1, 1, seq), see <see cref="MultiExitEncoder.AttentionBias"/>.</param>
    /// <returns>(batch, seq, hidden).</returns>
    public override Tensor forward(Tensor hidden, Tensor attentionBias)
    {
        using var scope = NewDisposeScope();
        Tensor attended = attention.call(hidden, attentionBias);
        return output.call(intermediate.call(attended), attended).MoveToOuterDisposeScope();
    }
}
