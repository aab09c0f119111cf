using System.Globalization;
using System.Text.Json.Serialization;

namespace EarlyExit.Torch.Models.Vision;

/// <summary>
/// Sizes of a multi-exit image classifier trained from scratch: a <see cref="MultiExitVit"/> or a
/// <see cref="MultiExitCnn"/>, with one exit after each of its <see cref="BlockCount"/> blocks.
/// Square images of <see cref="ImageSize"/> pixels and <see cref="Channels"/> channels.
/// </summary>
/// <remarks>
/// The pixel normalisation (<see cref="PixelMean"/>, <see cref="PixelStd"/>) is part of the
/// architecture on purpose: the model applies it to raw 0–255 intensities itself, so training,
/// exit traces and serving cannot disagree about it, and a checkpoint carries it. Call
/// <see cref="Validate"/> (the models' constructors do) before use. <see cref="VisionPresets"/>
/// gives the sizes the command line names.
/// </remarks>
public sealed record VisionConfig
{
    /// <summary>ViT or CNN.</summary>
    public required VisionArchitecture Architecture { get; init; }

    /// <summary>Number of classes every exit predicts.</summary>
    public required int ClassCount { get; init; }

    /// <summary>M, the number of blocks and so of exits.</summary>
    public required int BlockCount { get; init; }

    /// <summary>Token width d of a ViT; channels of every convolution of a CNN.</summary>
    public required int Width { get; init; }

    /// <summary>Height and width of the input in pixels (inputs are square). Default 28 (Fashion-MNIST).</summary>
    public int ImageSize { get; init; } = 28;

    /// <summary>Input channels: 1 (grey) or 3 (RGB). Default 1.</summary>
    public int Channels { get; init; } = 1;

    /// <summary>ViT: side of a square patch in pixels; divides <see cref="ImageSize"/>. Default 4 (7 × 7 = 49 patches of a 28-pixel image).</summary>
    public int PatchSize { get; init; } = 4;

    /// <summary>ViT: attention heads per block; divides <see cref="Width"/>. Default 4.</summary>
    public int HeadCount { get; init; } = 4;

    /// <summary>
    /// ViT: width of the MLP's inner layer as a multiple of <see cref="Width"/>. Default 2 (our
    /// choice: the usual 4 doubles the MLP's cost for little gain at these small widths, and
    /// training has to fit 20 minutes on 2 cores).
    /// </summary>
    public int MlpRatio { get; init; } = 2;

    /// <summary>ViT: ε of every LayerNorm. Default 1e-6 (ViT's, Dosovitskiy et al. 2021).</summary>
    public double LayerNormEpsilon { get; init; } = 1e-6;

    /// <summary>
    /// CNN: the blocks are split into this many stages of equal length (the first stages one
    /// longer when it does not divide); the first block of every stage after the first halves the
    /// resolution (stride 2). Default 2.
    /// </summary>
    public int StageCount { get; init; } = 2;

    /// <summary>Mean intensity of the training images, in [0, 1] (intensity / 255), over all pixels and channels. Default 0.</summary>
    public double PixelMean { get; init; }

    /// <summary>Standard deviation of the training images' intensities, in (0, 1]. Default 1.</summary>
    public double PixelStd { get; init; } = 1;

    /// <summary>ViT: patches per side, <see cref="ImageSize"/> / <see cref="PatchSize"/>.</summary>
    [JsonIgnore]
    public int PatchesPerSide => ImageSize / PatchSize;

    /// <summary>ViT: n, the tokens every block attends over (one per patch; there is no class token).</summary>
    [JsonIgnore]
    public int PatchCount => PatchesPerSide * PatchesPerSide;

    /// <summary>ViT: width of the MLP's inner layer, <see cref="MlpRatio"/> × <see cref="Width"/>.</summary>
    [JsonIgnore]
    public int MlpSize => MlpRatio * Width;

    /// <summary>Checks every size.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, the channels are not 1 or 3,
    /// a ViT's patch does not divide the image or its heads the width, a CNN has more stages than
    /// blocks, or the normalisation is out of range; the message names the property and its value.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Architecture))
            throw new ArgumentOutOfRangeException(nameof(Architecture), Architecture, $"Architecture must be Vit or Cnn; got {Architecture}");
        Positive(ClassCount, nameof(ClassCount));
        Positive(BlockCount, nameof(BlockCount));
        Positive(Width, nameof(Width));
        Positive(ImageSize, nameof(ImageSize));
        if (Channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(Channels), Channels, $"Channels must be 1 (grey) or 3 (RGB); got {Channels}");
        if (!(PixelMean >= 0 && PixelMean <= 1))
            throw new ArgumentOutOfRangeException(nameof(PixelMean), PixelMean, $"PixelMean must be in [0, 1]; got {PixelMean.ToString(CultureInfo.InvariantCulture)}");
        if (!(PixelStd > 0 && PixelStd <= 1))
            throw new ArgumentOutOfRangeException(nameof(PixelStd), PixelStd, $"PixelStd must be in (0, 1]; got {PixelStd.ToString(CultureInfo.InvariantCulture)}");
        if (Architecture == VisionArchitecture.Vit)
        {
            Positive(PatchSize, nameof(PatchSize));
            Positive(HeadCount, nameof(HeadCount));
            Positive(MlpRatio, nameof(MlpRatio));
            if (ImageSize % PatchSize != 0)
                throw new ArgumentOutOfRangeException(nameof(PatchSize), PatchSize, $"PatchSize must divide ImageSize ({ImageSize}); got {PatchSize}");
            if (Width % HeadCount != 0)
                throw new ArgumentOutOfRangeException(nameof(HeadCount), HeadCount, $"HeadCount must divide Width ({Width}); got {HeadCount}");
            if (!(LayerNormEpsilon > 0))
                throw new ArgumentOutOfRangeException(nameof(LayerNormEpsilon), LayerNormEpsilon, $"LayerNormEpsilon must be above 0; got {LayerNormEpsilon.ToString(CultureInfo.InvariantCulture)}");
        }
        else if (StageCount < 1 || StageCount > BlockCount)
        {
            throw new ArgumentOutOfRangeException(nameof(StageCount), StageCount, $"StageCount must be between 1 and BlockCount ({BlockCount}); got {StageCount}");
        }
    }

    private static void Positive(int value, string name)
    {
        if (value < 1) throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1; got {value}");
    }
}
