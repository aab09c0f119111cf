namespace EarlyExit.Torch.Training;

/// <summary>
/// Light augmentation of training images, applied per image with a seeded generator: a random
/// crop of the image padded with <see cref="Padding"/> zero pixels on every side (the crop has the
/// image's size, so the image shifts by up to <see cref="Padding"/> pixels each way), then a
/// horizontal flip with probability ½ (the CIFAR recipe of He et al. 2016 §4.2).
/// </summary>
public sealed record ImageAugmentation
{
    /// <summary>Zero pixels added on each side before the random crop; 0 disables the crop. Default 2 (a 28-pixel image shifts by up to 2 pixels, 7 %).</summary>
    public int Padding { get; init; } = 2;

    /// <summary>Flip each image left–right with probability ½. Default true.</summary>
    public bool HorizontalFlip { get; init; } = true;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="Padding"/> is negative.</exception>
    public void Validate()
    {
        if (Padding < 0)
            throw new ArgumentOutOfRangeException(nameof(Padding), Padding, $"Padding must be at least 0; got {Padding}");
    }

    /// <summary>Writes an augmented copy of one image into <paramref name="target"/>.</summary>
    /// <param name="source">(channels, size, size) intensities.</param>
    /// <param name="target">Same length; overwritten.</param>
    /// <param name="channels">Planes in the image.</param>
    /// <param name="size">Side in pixels.</param>
    /// <param name="random">The step's generator: the draws are the crop offset (x then y, each in
    /// [0, 2·padding]) when <see cref="Padding"/> &gt; 0, then the flip when <see cref="HorizontalFlip"/>.</param>
    /// <exception cref="ArgumentException">The spans are not channels × size² long.</exception>
    public void Apply(ReadOnlySpan<byte> source, Span<byte> target, int channels, int size, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        int plane = size * size;
        if (source.Length != channels * plane || target.Length != source.Length)
            throw new ArgumentException($"source and target must hold channels × size² = {channels * plane} values; got {source.Length} and {target.Length}");
        // Offset of the crop inside the padded image, minus the padding: the shift of the content.
        int dx = Padding > 0 ? random.Next((2 * Padding) + 1) - Padding : 0;
        int dy = Padding > 0 ? random.Next((2 * Padding) + 1) - Padding : 0;
        bool flip = HorizontalFlip && random.Next(2) == 1;
        for (int c = 0; c < channels; c++)
        {
            for (int y = 0; y < size; y++)
            {
                int sy = y + dy;
                for (int x = 0; x < size; x++)
                {
                    int sx = (flip ? size - 1 - x : x) + dx;
                    bool inside = (uint)sy < (uint)size && (uint)sx < (uint)size;
                    target[(c * plane) + (y * size) + x] = inside ? source[(c * plane) + (sy * size) + sx] : (byte)0;
                }
            }
        }
    }
}
