using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Models;

/// <summary>The feed-forward block's first half: GELU(dense(x)), hidden → intermediate; key <c>dense</c>.</summary>
internal sealed class BertIntermediate : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense;

    internal BertIntermediate(EncoderConfig config) : base(nameof(BertIntermediate))
    {
        dense = nn.Linear(config.HiddenSize, config.IntermediateSize);
        RegisterComponents();
    }

    /// <param name="hidden">(batch, seq, hidden).</param>
    /// <returns>(batch, seq, intermediate).</returns>
    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        // The exact GELU, x·Φ(x) with the normal CDF via erf (Hendrycks and Gimpel 2016), as BERT
        // uses; the tanh approximation differs by up to ~1e-3 and would break weight equivalence.
        return nn.functional.gelu(dense.call(hidden)).MoveToOuterDisposeScope();
    }
}
