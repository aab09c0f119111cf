using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Models.Vision;

/// <summary>
/// A basic residual block (He et al. 2016, fig. 2): out = ReLU(BN(conv₂(ReLU(BN(conv₁(x))))) + shortcut(x)),
/// 3 × 3 convolutions without bias (BatchNorm supplies it). When it starts a stage it halves the
/// resolution: conv₁ has stride 2 and the shortcut is a 1 × 1 convolution of stride 2 with
/// BatchNorm (He et al.'s option B). Keys <c>conv1</c>, <c>bn1</c>, <c>conv2</c>, <c>bn2</c>,
/// <c>shortcut_conv</c>, <c>shortcut_bn</c>.
/// </summary>
internal sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d? shortcut_conv;
    private readonly BatchNorm2d? shortcut_bn;

    internal ResidualBlock(int width, bool downsample) : base(nameof(ResidualBlock))
    {
        long stride = downsample ? 2 : 1;
        conv1 = nn.Conv2d(width, width, 3, stride: stride, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(width);
        conv2 = nn.Conv2d(width, width, 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(width);
        if (downsample)
        {
            shortcut_conv = nn.Conv2d(width, width, 1, stride: 2, bias: false);
            shortcut_bn = nn.BatchNorm2d(width);
        }
        RegisterComponents();
    }

    /// <param name="hidden">(batch, width, s, s).</param>
    /// <returns>(batch, width, s, s), or (batch, width, ⌈s/2⌉, ⌈s/2⌉) when downsampling.</returns>
    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        Tensor x = nn.functional.relu(bn1.call(conv1.call(hidden)));
        x = bn2.call(conv2.call(x));
        Tensor shortcut = shortcut_conv is null ? hidden : shortcut_bn!.call(shortcut_conv.call(hidden));
        return nn.functional.relu(x + shortcut).MoveToOuterDisposeScope();
    }
}
