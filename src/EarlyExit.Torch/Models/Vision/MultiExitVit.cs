using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Models.Vision;

/// <summary>
/// A vision transformer with an exit after every block (Dosovitskiy et al. 2021, without the class
/// token): non-overlapping p × p patches embedded linearly (a convolution of kernel and stride p)
/// plus learnt position embeddings, then <see cref="VisionConfig.BlockCount"/> pre-LN blocks, each
/// followed by an exit head on the mean of its patch tokens (see <see cref="VitExitHead"/>).
/// </summary>
/// <remarks>
/// Keys: <c>patch_embedding.*</c>, <c>position</c>, <c>blocks.k.*</c>, <c>exits.k.*</c>.
/// No dropout: the models are small and trained for a short budget, where the image
/// augmentation is the regulariser. FLOPs: <see cref="VisionFlops"/>.
/// </remarks>
public sealed class MultiExitVit : MultiExitVisionModel
{
    private readonly Conv2d patch_embedding;
    private readonly Parameter position;
    private readonly ModuleList<VitBlock> blocks;
    private readonly ModuleList<VitExitHead> exits;

    /// <summary>Creates a randomly initialised model: position embeddings from N(0, 0.02²) (ViT's), the rest TorchSharp's defaults.</summary>
    /// <param name="config">Sizes, with <see cref="VisionArchitecture.Vit"/>; validated here.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is invalid.</exception>
    /// <exception cref="ArgumentException">The config is not a ViT's.</exception>
    public MultiExitVit(VisionConfig config) : base(nameof(MultiExitVit), config, VisionArchitecture.Vit)
    {
        patch_embedding = nn.Conv2d(config.Channels, config.Width, config.PatchSize, stride: config.PatchSize);
        using (no_grad())
        {
            position = new Parameter(normal(0, 0.02, [1, config.PatchCount, config.Width]));
        }
        blocks = nn.ModuleList(Enumerable.Range(0, config.BlockCount).Select(_ => new VitBlock(config)).ToArray());
        exits = nn.ModuleList(Enumerable.Range(0, config.BlockCount).Select(_ => new VitExitHead(config)).ToArray());
        RegisterComponents();
    }

    /// <summary>(batch, C, S, S) → (batch, d, S/p, S/p) → (batch, n, d) patch tokens in row-major patch order, plus positions.</summary>
    private protected override Tensor InputLayer(Tensor images)
    {
        using var scope = NewDisposeScope();
        Tensor patches = patch_embedding.call(images).flatten(2).transpose(1, 2);
        return (patches + position).MoveToOuterDisposeScope();
    }

    private protected override Tensor Block(int blockIndex, Tensor hidden) => blocks[blockIndex].call(hidden);

    private protected override Tensor Exit(int exitIndex, Tensor hidden) => exits[exitIndex].call(hidden);
}
