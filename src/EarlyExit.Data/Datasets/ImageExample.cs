namespace EarlyExit.Data.Datasets;

/// <summary>One labelled image, grey-scale or RGB.</summary>
/// <remarks>Examples of one dataset usually share one pixel array; <see cref="Pixels"/> is a read-only slice of it.
/// Channels are planar (all of channel 0, then channel 1, …), the layout a (channels, height, width) tensor reads.</remarks>
public sealed record ImageExample : ILabelledExample
{
    /// <summary>Creates an example.</summary>
    /// <param name="pixels">Intensities 0 (background) to 255, row-major, shape <c>(channels, height, width)</c>.</param>
    /// <param name="height">Rows.</param>
    /// <param name="width">Columns.</param>
    /// <param name="label">0-based class index.</param>
    /// <param name="channels">1 (grey, the default) or 3 (red, green, blue planes).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size, the channels or the label is out of range, or the pixel count is not channels × height × width.</exception>
    public ImageExample(ReadOnlyMemory<byte> pixels, int height, int width, int label, int channels = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegative(label);
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, $"channels must be 1 (grey) or 3 (RGB); got {channels}");
        }

        if (pixels.Length != channels * height * width)
        {
            throw new ArgumentOutOfRangeException(
                nameof(pixels), $"pixels must hold channels × height × width = {channels} × {height} × {width} = {channels * height * width} values; got {pixels.Length}");
        }

        Pixels = pixels;
        Height = height;
        Width = width;
        Label = label;
        Channels = channels;
    }

    /// <summary>Intensities 0 (background) to 255, row-major, shape <c>(Channels, Height, Width)</c>.</summary>
    public ReadOnlyMemory<byte> Pixels { get; }

    /// <summary>1 (grey) or 3 (RGB).</summary>
    public int Channels { get; }

    /// <summary>Rows (28 for Fashion-MNIST).</summary>
    public int Height { get; }

    /// <summary>Columns (28 for Fashion-MNIST).</summary>
    public int Width { get; }

    /// <inheritdoc />
    public int Label { get; }
}
