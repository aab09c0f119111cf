using EarlyExit.Data.Datasets;
using EarlyExit.Torch.Models.Vision;
using EarlyExit.Torch.Runtime;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Training;

/// <summary>
/// Labelled images for a <see cref="MultiExitVisionModel"/>: each batch is collated as one
/// (batch, channels, size, size) float32 tensor of raw intensities (the model normalises), with
/// the optional <see cref="ImageAugmentation"/> applied to training batches.
/// </summary>
/// <remarks>Grey images for an RGB model and the reverse are converted as
/// <see cref="ImageBatch.FromExamples"/> says; the size must already be the model's.</remarks>
public sealed class ImageTrainingSet : ITrainingSet
{
    private readonly IReadOnlyList<ImageExample> _examples;
    private readonly VisionConfig _config;
    private readonly ImageAugmentation? _augmentation;

    /// <summary>Wraps <paramref name="examples"/> after checking each against <paramref name="config"/>.</summary>
    /// <param name="examples">At least one image.</param>
    /// <param name="config">The model's input shape and classes.</param>
    /// <param name="augmentation">Augmentation of training batches, or null for none.</param>
    /// <param name="name">The examples' name in messages (e.g. "train").</param>
    /// <exception cref="ArgumentException">No examples, a null one, a label outside the classes, or an
    /// image not of the model's size; the message names its index.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The augmentation is invalid.</exception>
    public ImageTrainingSet(IReadOnlyList<ImageExample> examples, VisionConfig config, ImageAugmentation? augmentation = null, string name = "examples")
    {
        ArgumentNullException.ThrowIfNull(examples, name);
        ArgumentNullException.ThrowIfNull(config);
        augmentation?.Validate();
        if (examples.Count == 0)
            throw new ArgumentException($"{name} must hold at least one example; got none", name);
        for (int i = 0; i < examples.Count; i++)
        {
            ImageExample e = examples[i] ?? throw new ArgumentException($"{name}[{i}] is null", name);
            if (e.Label >= config.ClassCount)
                throw new ArgumentException($"{name}[{i}] has label {e.Label}; the model has {config.ClassCount} classes (0 to {config.ClassCount - 1})", name);
            if (e.Height != config.ImageSize || e.Width != config.ImageSize)
                throw new ArgumentException($"{name}[{i}] is {e.Height} × {e.Width} pixels; the model takes {config.ImageSize} × {config.ImageSize}", name);
        }
        _examples = examples;
        _config = config;
        _augmentation = augmentation;
    }

    /// <inheritdoc/>
    public int Count => _examples.Count;

    /// <summary>Collates the rows, augmented when a seed is given and the set has an augmentation.</summary>
    /// <param name="rows">Example indices.</param>
    /// <param name="augmentationSeed">The step's seed; one generator seeded with it draws every image's augmentation in row order.</param>
    /// <returns>Input (batch, channels, size, size) float32 in [0, 255]; labels (batch) int64.</returns>
    public TrainingBatch Collate(ReadOnlySpan<int> rows, long? augmentationSeed)
    {
        ImageBatch batch = ImageBatch.FromExamples(_examples, rows, _config);
        if (_augmentation is not null && augmentationSeed is { } seed)
        {
            var random = new Random((int)(seed & int.MaxValue));
            byte[] augmented = new byte[batch.Pixels.Length];
            int length = batch.ImageLength;
            for (int i = 0; i < batch.Count; i++)
                _augmentation.Apply(batch.Pixels.Span.Slice(i * length, length), augmented.AsSpan(i * length, length), batch.Channels, batch.Size, random);
            batch = new ImageBatch(augmented, batch.Count, batch.Channels, batch.Size);
        }
        var labels = new long[rows.Length];
        for (int i = 0; i < rows.Length; i++) labels[i] = _examples[rows[i]].Label;
        return new TrainingBatch([batch.ToTensor()], tensor(labels));
    }
}
