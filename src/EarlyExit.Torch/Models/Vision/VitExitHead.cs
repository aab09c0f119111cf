using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Models.Vision;

/// <summary>
/// A ViT's classifier after one block: the mean of the patch tokens, LayerNorm, then a linear map
/// to class logits. Keys <c>norm</c>, <c>classifier</c>. Heads never share weights (docs/algorithms.md §3).
/// </summary>
/// <remarks>
/// Mean of the patches rather than a class token (our choice): a class token after block 1 has
/// attended over the patches once, so a shallow exit reading it sees a one-step summary, while the
/// mean of the patches summarises every patch at any depth; global average pooling also matches
/// a class token's accuracy on plain ViTs (Beyer et al. 2022, "Better plain ViT baselines") and
/// saves a token in every block.
/// </remarks>
internal sealed class VitExitHead : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm norm;
    private readonly Linear classifier;

    internal VitExitHead(VisionConfig config) : base(nameof(VitExitHead))
    {
        norm = nn.LayerNorm(config.Width, config.LayerNormEpsilon);
        classifier = nn.Linear(config.Width, config.ClassCount);
        RegisterComponents();
    }

    /// <param name="hidden">(batch, patches, width), a block's output.</param>
    /// <returns>(batch, classes) logits.</returns>
    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return classifier.call(norm.call(hidden.mean([1]))).MoveToOuterDisposeScope();
    }
}
