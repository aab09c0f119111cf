using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Models;

/// <summary>
/// The post-LayerNorm residual step closing each sublayer: LayerNorm(residual + dropout(dense(x))).
/// Hugging Face's <c>BertSelfOutput</c> (after attention, dense hidden → hidden) and
/// <c>BertOutput</c> (after the feed-forward block, dense intermediate → hidden) are both this
/// module; keys <c>dense</c> and <c>LayerNorm</c>.
/// </summary>
internal sealed class BertSublayerOutput : nn.Module<Tensor, Tensor, Tensor>
{
    // Field names are the checkpoint's keys (RegisterComponents uses them).
    private readonly Linear dense;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;

    internal BertSublayerOutput(int inputSize, EncoderConfig config) : base(nameof(BertSublayerOutput))
    {
        dense = nn.Linear(inputSize, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEpsilon);
        dropout = nn.Dropout(config.HiddenDropout);
        RegisterComponents();
    }

    /// <param name="input">(batch, seq, inputSize), the sublayer's result.</param>
    /// <param name="residual">(batch, seq, hidden), the sublayer's input.</param>
    /// <returns>(batch, seq, hidden).</returns>
    public override Tensor forward(Tensor input, Tensor residual)
    {
        using var scope = NewDisposeScope();
        return LayerNorm.call(residual + dropout.call(dense.call(input))).MoveToOuterDisposeScope();
    }
}
