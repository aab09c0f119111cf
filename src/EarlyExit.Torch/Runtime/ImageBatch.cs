using EarlyExit.Data.Datasets;
using EarlyExit.Torch.Models.Vision;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Runtime;

/// <summary>
/// A batch of square images at a model's input shape: raw 0–255 intensities, planar channels,
/// what <see cref="VisionExitModel.Begin"/> and the trainer's image batches turn into a
/// (batch, channels, size, size) tensor.
/// </summary>
public sealed class ImageBatch
{
    /// <summary>Creates a batch.</summary>
    /// <param name="pixels">count × channels × size × size intensities, image after image, each (channels, size, size) row-major.</param>
    /// <param name="count">Images, ≥ 1.</param>
    /// <param name="channels">1 or 3.</param>
    /// <param name="size">Side in pixels, ≥ 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range, or the pixel count does not match.</exception>
    public ImageBatch(ReadOnlyMemory<byte> pixels, int count, int channels, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, $"channels must be 1 or 3; got {channels}");
        long expected = (long)count * channels * size * size;
        if (pixels.Length != expected)
            throw new ArgumentOutOfRangeException(nameof(pixels), pixels.Length,
                $"pixels must hold count × channels × size² = {count} × {channels} × {size}² = {expected} values; got {pixels.Length}");
        Pixels = pixels;
        Count = count;
        Channels = channels;
        Size = size;
    }

    /// <summary>The intensities, (count, channels, size, size) row-major.</summary>
    public ReadOnlyMemory<byte> Pixels { get; }

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>1 or 3.</summary>
    public int Channels { get; }

    /// <summary>Side in pixels.</summary>
    public int Size { get; }

    /// <summary>Values per image, channels × size².</summary>
    public int ImageLength => Channels * Size * Size;

    /// <summary>
    /// Gathers <paramref name="rows"/> of <paramref name="examples"/> at <paramref name="config"/>'s
    /// input shape. A grey image fed to an RGB model is repeated on the three channels; an RGB
    /// image fed to a grey model becomes its luma, 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601), rounded.
    /// </summary>
    /// <param name="examples">The images.</param>
    /// <param name="rows">Which, in batch order; at least one.</param>
    /// <param name="config">The model's input shape.</param>
    /// <exception cref="ArgumentException">An image is not <see cref="VisionConfig.ImageSize"/> pixels square (resize it when loading).</exception>
    public static ImageBatch FromExamples(IReadOnlyList<ImageExample> examples, ReadOnlySpan<int> rows, VisionConfig config)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(config);
        int size = config.ImageSize, channels = config.Channels, plane = size * size;
        var pixels = new byte[rows.Length * channels * plane];
        for (int i = 0; i < rows.Length; i++)
        {
            ImageExample e = examples[rows[i]];
            if (e.Height != size || e.Width != size)
                throw new ArgumentException(
                    $"examples[{rows[i]}] is {e.Height} × {e.Width} pixels; the model takes {size} × {size} images", nameof(examples));
            ReadOnlySpan<byte> source = e.Pixels.Span;
            Span<byte> target = pixels.AsSpan(i * channels * plane, channels * plane);
            if (e.Channels == channels) source.CopyTo(target);
            else if (e.Channels == 1)
            {
                for (int c = 0; c < channels; c++) source.CopyTo(target.Slice(c * plane, plane));
            }
            else
            {
                for (int p = 0; p < plane; p++)
                    target[p] = (byte)Math.Round((0.299 * source[p]) + (0.587 * source[plane + p]) + (0.114 * source[(2 * plane) + p]));
            }
        }
        return new ImageBatch(pixels, rows.Length, channels, size);
    }

    /// <summary>The batch as a (count, channels, size, size) float32 tensor of raw intensities on <paramref name="device"/>.</summary>
    /// <param name="device">Where the tensor goes; null for the CPU.</param>
    public Tensor ToTensor(Device? device = null)
    {
        using var scope = NewDisposeScope();
        Tensor bytes = tensor(Pixels.ToArray(), [Count, Channels, Size, Size]);
        return bytes.to_type(ScalarType.Float32).to(device ?? CPU).MoveToOuterDisposeScope();
    }
}
