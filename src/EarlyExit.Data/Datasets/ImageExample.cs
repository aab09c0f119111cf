namespace EarlyExit.Data.Datasets;

/// <summary>One labelled grey-scale image.</summary>
/// <remarks>Examples of one dataset usually share one pixel array; <see cref="Pixels"/> is a read-only slice of it.</remarks>
public sealed record ImageExample : ILabelledExample
{
    /// <summary>Creates an example.</summary>
    /// <param name="pixels">Intensities 0 (background) to 255, row-major, shape <c>(height, width)</c>.</param>
    /// <param name="height">Rows.</param>
    /// <param name="width">Columns.</param>
    /// <param name="label">0-based class index.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or the label is out of range, or the pixel count is not height × width.</exception>
    public ImageExample(ReadOnlyMemory<byte> pixels, int height, int width, int label)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegative(label);
        if (pixels.Length != height * width)
        {
            throw new ArgumentOutOfRangeException(
                nameof(pixels), $"pixels must hold height × width = {height} × {width} = {height * width} values; got {pixels.Length}");
        }

        Pixels = pixels;
        Height = height;
        Width = width;
        Label = label;
    }

    /// <summary>Intensities 0 (background) to 255, row-major, shape <c>(Height, Width)</c>.</summary>
    public ReadOnlyMemory<byte> Pixels { get; }

    /// <summary>Rows (28 for Fashion-MNIST).</summary>
    public int Height { get; }

    /// <summary>Columns (28 for Fashion-MNIST).</summary>
    public int Width { get; }

    /// <inheritdoc />
    public int Label { get; }
}
