namespace EarlyExit.Data.Datasets.ImageFolders;

/// <summary>Bilinear resizing of planar 8-bit images.</summary>
internal static class ImageResizer
{
    /// <summary>
    /// Resizes (channels, height, width) to (channels, size, size) by bilinear interpolation with
    /// pixel centres aligned (output pixel i samples the source at (i + ½)·scale − ½, clamped to
    /// the edges: PyTorch's <c>interpolate(mode="bilinear", align_corners=False)</c>), rounded to
    /// the nearest integer. A non-square image is stretched to a square. The same size returns a copy.
    /// </summary>
    internal static byte[] Resize(ReadOnlySpan<byte> source, int channels, int height, int width, int size)
    {
        var target = new byte[channels * size * size];
        if (height == size && width == size)
        {
            source.CopyTo(target);
            return target;
        }

        double scaleY = (double)height / size, scaleX = (double)width / size;
        for (int y = 0; y < size; y++)
        {
            double sy = Math.Clamp(((y + 0.5) * scaleY) - 0.5, 0, height - 1);
            int y0 = (int)sy, y1 = Math.Min(y0 + 1, height - 1);
            double fy = sy - y0;
            for (int x = 0; x < size; x++)
            {
                double sx = Math.Clamp(((x + 0.5) * scaleX) - 0.5, 0, width - 1);
                int x0 = (int)sx, x1 = Math.Min(x0 + 1, width - 1);
                double fx = sx - x0;
                for (int c = 0; c < channels; c++)
                {
                    int plane = c * height * width;
                    double top = (source[plane + (y0 * width) + x0] * (1 - fx)) + (source[plane + (y0 * width) + x1] * fx);
                    double bottom = (source[plane + (y1 * width) + x0] * (1 - fx)) + (source[plane + (y1 * width) + x1] * fx);
                    target[(c * size * size) + (y * size) + x] = (byte)Math.Round((top * (1 - fy)) + (bottom * fy), MidpointRounding.AwayFromZero);
                }
            }
        }

        return target;
    }
}
