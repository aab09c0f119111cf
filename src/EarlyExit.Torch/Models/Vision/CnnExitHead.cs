using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Models.Vision;

/// <summary>
/// A CNN's classifier after one block: global average pooling over the map, then a linear map to
/// class logits (He et al. 2016's head, at every depth). Key <c>classifier</c>. Heads never share
/// weights (docs/algorithms.md §3).
/// </summary>
internal sealed class CnnExitHead : nn.Module<Tensor, Tensor>
{
    private readonly Linear classifier;

    internal CnnExitHead(VisionConfig config) : base(nameof(CnnExitHead))
    {
        classifier = nn.Linear(config.Width, config.ClassCount);
        RegisterComponents();
    }

    /// <param name="hidden">(batch, width, s, s), a block's output.</param>
    /// <returns>(batch, classes) logits.</returns>
    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return classifier.call(hidden.mean([2, 3])).MoveToOuterDisposeScope();
    }
}
