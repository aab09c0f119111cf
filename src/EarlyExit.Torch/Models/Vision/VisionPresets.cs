namespace EarlyExit.Torch.Models.Vision;

/// <summary>
/// The vision models <c>earlyexit train --model</c> names. Each pair shares its width and differs
/// only in depth, so the small model's blocks cost what the large one's first blocks cost and
/// its full-depth FLOPs fall inside the range the large model's exits span (PCEE fig. 1's setting:
/// a deeper model with early exits against a shallower full one).
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>vit-small / vit-large</term><description>ViT, width 64, 4 heads, MLP 128, 4 × 4 patches; 4 / 8 blocks.</description></item>
/// <item><term>cnn-small / cnn-large</term><description>residual CNN, width 32, 2 stages; 4 / 8 blocks (2 + 2 / 4 + 4).</description></item>
/// </list>
/// Sizes chosen (our choice) so that training a large model for a few epochs of Fashion-MNIST fits
/// 20 minutes on 2 CPU cores.
/// </remarks>
public static class VisionPresets
{
    // The one table that names, help and creation read.
    private static readonly (string Name, VisionArchitecture Architecture, int Blocks, int Width)[] Table =
    [
        ("vit-small", VisionArchitecture.Vit, 4, 64),
        ("vit-large", VisionArchitecture.Vit, 8, 64),
        ("cnn-small", VisionArchitecture.Cnn, 4, 32),
        ("cnn-large", VisionArchitecture.Cnn, 8, 32),
    ];

    /// <summary>The preset names, in the order help lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Table.Select(t => t.Name)];

    /// <summary>Whether <paramref name="name"/> (case-insensitive) is a preset.</summary>
    /// <param name="name">A <c>--model</c> value.</param>
    public static bool IsPreset(string name) => Array.Exists(Table, t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The config of preset <paramref name="name"/> for a data set's images.</summary>
    /// <param name="name">One of <see cref="Names"/> (case-insensitive).</param>
    /// <param name="classCount">Classes.</param>
    /// <param name="imageSize">Image side in pixels (28 for Fashion-MNIST); a ViT needs a multiple of its 4-pixel patch.</param>
    /// <param name="channels">1 or 3.</param>
    /// <param name="pixelMean">The training images' mean intensity in [0, 1].</param>
    /// <param name="pixelStd">Their standard deviation in (0, 1].</param>
    /// <returns>A validated config.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a preset; the message lists them.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size does not fit the preset (<see cref="VisionConfig.Validate"/>).</exception>
    public static VisionConfig Create(string name, int classCount, int imageSize, int channels, double pixelMean, double pixelStd)
    {
        ArgumentNullException.ThrowIfNull(name);
        int index = Array.FindIndex(Table, t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
        if (index < 0)
            throw new ArgumentException($"unknown vision model '{name}'; valid: {string.Join(", ", Names)}", nameof(name));
        var (_, architecture, blocks, width) = Table[index];
        var config = new VisionConfig
        {
            Architecture = architecture,
            ClassCount = classCount,
            BlockCount = blocks,
            Width = width,
            ImageSize = imageSize,
            Channels = channels,
            PixelMean = pixelMean,
            PixelStd = pixelStd,
        };
        config.Validate();
        return config;
    }
}
