using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Models.Vision;

/// <summary>
/// A residual CNN with an exit after every block: a stem (3 × 3 convolution of stride 2, BatchNorm,
/// ReLU) to <see cref="VisionConfig.Width"/> channels, then <see cref="VisionConfig.BlockCount"/>
/// basic residual blocks (<see cref="ResidualBlock"/>) split into <see cref="VisionConfig.StageCount"/>
/// stages, each stage after the first starting at half the resolution; every block keeps the
/// width and is followed by an exit head (global average pool, linear).
/// </summary>
/// <remarks>
/// Keys: <c>stem_conv.*</c>, <c>stem_bn.*</c>, <c>blocks.k.*</c>, <c>exits.k.*</c>. BatchNorm uses
/// batch statistics in training and its running averages in evaluation, so in <c>eval()</c> a
/// row's output does not depend on the rows it runs with (the runtime drops rows between blocks).
/// FLOPs: <see cref="VisionFlops"/>.
/// </remarks>
public sealed class MultiExitCnn : MultiExitVisionModel
{
    private readonly Conv2d stem_conv;
    private readonly BatchNorm2d stem_bn;
    private readonly ModuleList<ResidualBlock> blocks;
    private readonly ModuleList<CnnExitHead> exits;

    /// <summary>Creates a randomly initialised model (TorchSharp's default initialisation).</summary>
    /// <param name="config">Sizes, with <see cref="VisionArchitecture.Cnn"/>; validated here.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is invalid.</exception>
    /// <exception cref="ArgumentException">The config is not a CNN's.</exception>
    public MultiExitCnn(VisionConfig config) : base(nameof(MultiExitCnn), config, VisionArchitecture.Cnn)
    {
        stem_conv = nn.Conv2d(config.Channels, config.Width, 3, stride: 2, padding: 1, bias: false);
        stem_bn = nn.BatchNorm2d(config.Width);
        blocks = nn.ModuleList(Enumerable.Range(0, config.BlockCount)
            .Select(b => new ResidualBlock(config.Width, VisionFlops.CnnDownsamples(config, b))).ToArray());
        exits = nn.ModuleList(Enumerable.Range(0, config.BlockCount).Select(_ => new CnnExitHead(config)).ToArray());
        RegisterComponents();
    }

    /// <summary>(batch, C, S, S) → (batch, w, ⌈S/2⌉, ⌈S/2⌉).</summary>
    private protected override Tensor InputLayer(Tensor images)
    {
        using var scope = NewDisposeScope();
        return nn.functional.relu(stem_bn.call(stem_conv.call(images))).MoveToOuterDisposeScope();
    }

    private protected override Tensor Block(int blockIndex, Tensor hidden) => blocks[blockIndex].call(hidden);

    private protected override Tensor Exit(int exitIndex, Tensor hidden) => exits[exitIndex].call(hidden);
}
