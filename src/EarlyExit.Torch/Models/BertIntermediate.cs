using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Models;

/// <summary>The feed-forward block's first half: act(dense(x)), act from <see cref="EncoderConfig.HiddenActivation"/>, hidden → intermediate; key <c>dense</c>.</summary>
internal sealed class BertIntermediate : nn.Module<Tensor, Tensor>
{
    private readonly Linear dense;
    private readonly HiddenActivation _activation;

    internal BertIntermediate(EncoderConfig config) : base(nameof(BertIntermediate))
    {
        dense = nn.Linear(config.HiddenSize, config.IntermediateSize);
        _activation = config.HiddenActivation;
        RegisterComponents();
    }

    /// <param name="hidden">(batch, seq, hidden).</param>
    /// <returns>(batch, seq, intermediate).</returns>
    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return Activate(dense.call(hidden), _activation).MoveToOuterDisposeScope();
    }

    /// <summary>Applies <paramref name="activation"/> as Hugging Face's <c>ACT2FN</c> entry of that name computes it.</summary>
    internal static Tensor Activate(Tensor x, HiddenActivation activation) => activation switch
    {
        // The exact GELU, x·Φ(x) with the normal CDF via erf (Hendrycks and Gimpel 2016), as BERT
        // uses; the tanh approximation differs by up to ~1e-3 and would break weight equivalence.
        HiddenActivation.Gelu => nn.functional.gelu(x),
        // HF's NewGELUActivation / gelu_pytorch_tanh / FastGELU: one formula, written out here.
        HiddenActivation.GeluTanh => 0.5 * x * (1 + (Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x.pow(3))).tanh()),
        HiddenActivation.Relu => nn.functional.relu(x),
        HiddenActivation.Silu => nn.functional.silu(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation"),
    };
}
