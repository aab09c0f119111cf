namespace EarlyExit.Torch.Models.Vision;

/// <summary>
/// Floating-point operations of one image through a multi-exit vision model, per block and per
/// exit head, from the layer shapes in its <see cref="VisionConfig"/>.
/// </summary>
/// <remarks>
/// <para>Convention, the same as <see cref="EncoderFlops"/>: a multiply-add is 2 FLOPs, and only
/// the matrix products are counted — linear layers, convolutions, attention's Q·Kᵀ and P·V.
/// Left out, each a small fraction of a block: biases, normalisation (LayerNorm, BatchNorm),
/// activations, softmax, residual adds, pooling, position embeddings.</para>
/// <para>A convolution producing an h × w × c_out map from c_in channels with a k × k kernel is
/// 2·h·w·c_out·c_in·k² FLOPs; a linear map d_in → d_out on one row is 2·d_in·d_out.</para>
/// <para>The input layer (a ViT's patch embedding, a CNN's stem) runs once before block 0 and is
/// counted in block 0, so an image leaving at exit 0 is charged for it.</para>
/// <para><b>ViT</b>, n = patches, d = width, f = MLP width, C channels, p = patch side, K classes:
/// block = 8·n·d² + 4·n²·d + 4·n·d·f (<see cref="EncoderFlops.Layer(int, int, int)"/>);
/// patch embedding = 2·n·d·C·p²; exit head (mean of the patches, LayerNorm, linear) = 2·d·K.</para>
/// <para><b>CNN</b>, w = width: stem = 2·s₀²·w·C·9 (3 × 3, stride 2, s₀ = ⌈S/2⌉ for an S-pixel
/// image); a residual block with output side s = 2 · 2·s²·w²·9 (two 3 × 3 convolutions), plus
/// 2·s²·w² for the 1 × 1 projection of the shortcut when it halves the resolution;
/// exit head (global average pool, linear) = 2·w·K.</para>
/// </remarks>
public static class VisionFlops
{
    /// <summary>FLOPs of block <paramref name="blockIndex"/> for one image (block 0 includes the input layer).</summary>
    /// <param name="config">The model's sizes.</param>
    /// <param name="blockIndex">0-based block, in [0, <see cref="VisionConfig.BlockCount"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="blockIndex"/> is out of range.</exception>
    public static double Block(VisionConfig config, int blockIndex)
    {
        ArgumentNullException.ThrowIfNull(config);
        if ((uint)blockIndex >= (uint)config.BlockCount)
            throw new ArgumentOutOfRangeException(nameof(blockIndex), blockIndex,
                $"blockIndex must be between 0 and {config.BlockCount - 1} (the model has {config.BlockCount} blocks); got {blockIndex}");
        double input = blockIndex == 0 ? InputLayer(config) : 0;
        if (config.Architecture == VisionArchitecture.Vit)
            return input + EncoderFlops.Layer(config.PatchCount, config.Width, config.MlpSize);
        double s = CnnSide(config, blockIndex), w = config.Width;
        double convolutions = 2 * (2 * s * s * w * w * 9);
        double projection = CnnDownsamples(config, blockIndex) ? 2 * s * s * w * w : 0;
        return input + convolutions + projection;
    }

    /// <summary>FLOPs of one exit head for one image: 2·d·K (ViT) or 2·w·K (CNN); every head has the same shape.</summary>
    /// <param name="config">The model's sizes.</param>
    public static double Exit(VisionConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return 2.0 * config.Width * config.ClassCount;
    }

    /// <summary>FLOPs of the input layer: the ViT's patch embedding 2·n·d·C·p², or the CNN's stem 2·s₀²·w·C·9.</summary>
    /// <param name="config">The model's sizes.</param>
    public static double InputLayer(VisionConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Architecture == VisionArchitecture.Vit)
            return 2.0 * config.PatchCount * config.Width * config.Channels * config.PatchSize * config.PatchSize;
        double s = HalfSide(config.ImageSize);
        return 2 * s * s * config.Width * config.Channels * 9;
    }

    /// <summary>CNN: the side of block <paramref name="blockIndex"/>'s output map: the stem's ⌈S/2⌉, halved (rounding up) at each stage start after the first.</summary>
    internal static int CnnSide(VisionConfig config, int blockIndex)
    {
        int side = HalfSide(config.ImageSize);
        for (int b = 1; b <= blockIndex; b++)
        {
            if (CnnDownsamples(config, b)) side = HalfSide(side);
        }
        return side;
    }

    /// <summary>CNN: whether block <paramref name="blockIndex"/> starts a stage after the first (stride 2 and a projected shortcut).</summary>
    internal static bool CnnDownsamples(VisionConfig config, int blockIndex) =>
        blockIndex > 0 && CnnStage(config, blockIndex) != CnnStage(config, blockIndex - 1);

    /// <summary>CNN: the 0-based stage of a block, ⌊i·stages / blocks⌋.</summary>
    internal static int CnnStage(VisionConfig config, int blockIndex) => blockIndex * config.StageCount / config.BlockCount;

    /// <summary>The side after a 3 × 3 convolution of stride 2 and padding 1: ⌊(s − 1)/2⌋ + 1 = ⌈s/2⌉.</summary>
    private static int HalfSide(int side) => ((side - 1) / 2) + 1;
}
