namespace EarlyExit.Data.Datasets;

/// <summary>Mean and standard deviation of images' intensities, scaled to [0, 1] (intensity / 255), over every pixel and channel.</summary>
/// <param name="Mean">Mean intensity, in [0, 1].</param>
/// <param name="Std">Standard deviation (population), in (0, 1]; at least 1/255, so a blank data set still divides safely.</param>
public sealed record PixelStatistics(double Mean, double Std)
{
    /// <summary>The statistics of <paramref name="images"/>.</summary>
    /// <param name="images">At least one image.</param>
    /// <exception cref="ArgumentException">No images.</exception>
    public static PixelStatistics Of(IReadOnlyList<ImageExample> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("images must hold at least one image; got none", nameof(images));
        // Integer sums of v and v² are exact (2^63 / 255² ≈ 1.4e14 pixels before overflow).
        long count = 0, sum = 0, squares = 0;
        foreach (ImageExample image in images)
        {
            foreach (byte v in image.Pixels.Span)
            {
                sum += v;
                squares += v * v;
            }
            count += image.Pixels.Length;
        }
        double mean = (double)sum / count;
        double variance = Math.Max(0, ((double)squares / count) - (mean * mean));
        return new PixelStatistics(mean / 255, Math.Max(Math.Sqrt(variance), 1) / 255);
    }
}
