using System.Globalization;
using StbImageSharp;

namespace EarlyExit.Data.Datasets.ImageFolders;

/// <summary>
/// Your own images: a folder holding <c>train/</c> and <c>test/</c> and optionally
/// <c>validation/</c>, each with one sub-folder per class of PNG, JPEG, BMP, GIF or TGA files
/// (decoded by StbImageSharp), grey or colour, resized to a square of the size asked for.
/// </summary>
/// <remarks>
/// <para>Classes are the sub-folders of <c>train/</c>, in ordinal order of their names (label 0 is
/// the first); <c>test/</c> and <c>validation/</c> may lack a class but not add one. Files are read
/// in ordinal order of their names, so the data and its seeded split are the same on every machine.
/// Without <c>validation/</c>, validation is drawn from train by <see cref="SplitOptions"/>
/// (stratified, seeded), as for the other loaders.</para>
/// <para>Channels: if any image is in colour, every image is decoded as RGB (grey ones repeated on
/// the three channels); otherwise all are grey. Alpha is dropped. Resizing is bilinear
/// (<c>ImageResizer</c>); a non-square image is stretched to the square.</para>
/// </remarks>
public static class ImageFolderDataset
{
    /// <summary>The spec prefix, <c>images:PATH</c>.</summary>
    public const string Name = "images";

    /// <summary>The side images are resized to when the spec does not say (<c>?size=N</c>): 28, Fashion-MNIST's.</summary>
    public const int DefaultImageSize = 28;

    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga"];

    /// <summary>Loads the folder.</summary>
    /// <param name="path">The folder holding <c>train/</c> and <c>test/</c>.</param>
    /// <param name="imageSize">Side of the square every image is resized to, ≥ 1.</param>
    /// <param name="split">How validation is drawn when there is no <c>validation/</c>; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="imageSize"/> is below 1.</exception>
    /// <exception cref="DatasetException">A split folder is missing, train has fewer than two classes, a
    /// class folder holds no image, a split names a class train does not have, or a file cannot be
    /// decoded; the message names the folder or the file.</exception>
    public static Dataset<ImageExample> Load(string path, int imageSize = DefaultImageSize, SplitOptions? split = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, 1);
        split ??= new SplitOptions();
        split.Validate();
        string trainFolder = Required(path, "train"), testFolder = Required(path, "test");
        string validationFolder = Path.Combine(path, "validation");
        bool hasValidation = Directory.Exists(validationFolder);

        string[] classes = [.. Directory.GetDirectories(trainFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        if (classes.Length < 2)
            throw new DatasetException($"{trainFolder} must hold one sub-folder per class, at least 2; got {classes.Length}");
        var files = new List<(string File, int Label, int Split)>();
        AddFiles(trainFolder, classes, 0, requireEvery: true, files);
        AddFiles(testFolder, classes, 1, requireEvery: false, files);
        if (hasValidation) AddFiles(validationFolder, classes, 2, requireEvery: false, files);

        int channels = files.Any(f => IsColour(f.File)) ? 3 : 1;
        var parts = new List<ImageExample>[3] { [], [], [] };
        foreach (var (file, label, part) in files)
            parts[part].Add(Decode(file, label, channels, imageSize));

        ThreeWaySplit<ImageExample> splits = hasValidation
            ? new ThreeWaySplit<ImageExample>(parts[0], parts[2], parts[1])
            : SeededSplitter.Split(parts[0], parts[1], split, key: null);
        string[] notes =
        [
            string.Create(CultureInfo.InvariantCulture,
                $"{parts[0].Count:N0} training, {parts[2].Count:N0} validation and {parts[1].Count:N0} test images from {path}, {(channels == 3 ? "RGB" : "grey")}, resized to {imageSize} × {imageSize}"),
            hasValidation
                ? "validation: the validation/ folder"
                : string.Create(CultureInfo.InvariantCulture, $"validation: {split.ValidationFraction * 100:0.#}% of training, seed {split.Seed}, stratified by label"),
        ];
        return new Dataset<ImageExample>(Name + ":" + path, classes, splits.Train, splits.Validation, splits.Test, notes);
    }

    private static string Required(string path, string name)
    {
        string folder = Path.Combine(path, name);
        return Directory.Exists(folder)
            ? folder
            : throw new DatasetException($"{path} must hold a {name}/ folder with one sub-folder per class; {folder} does not exist");
    }

    private static void AddFiles(string folder, string[] classes, int part, bool requireEvery, List<(string, int, int)> files)
    {
        foreach (string classFolder in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(classFolder);
            int label = Array.IndexOf(classes, name);
            if (label < 0)
                throw new DatasetException($"{classFolder} is a class the train/ folder does not have (its classes: {string.Join(", ", classes)})");
        }
        for (int label = 0; label < classes.Length; label++)
        {
            string classFolder = Path.Combine(folder, classes[label]);
            string[] images = Directory.Exists(classFolder)
                ? [.. Directory.GetFiles(classFolder).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal)]
                : [];
            if (images.Length == 0 && (requireEvery || Directory.Exists(classFolder)))
                throw new DatasetException($"class folder {classFolder} holds no image ({string.Join(", ", Extensions)})");
            files.AddRange(images.Select(f => (f, label, part)));
        }
    }

    private static bool IsColour(string file)
    {
        using FileStream stream = File.OpenRead(file);
        ImageInfo? info = ImageInfo.FromStream(stream);
        return info is { ColorComponents: ColorComponents.RedGreenBlue or ColorComponents.RedGreenBlueAlpha };
    }

    private static ImageExample Decode(string file, int label, int channels, int size)
    {
        ImageResult image;
        try
        {
            using FileStream stream = File.OpenRead(file);
            image = ImageResult.FromStream(stream, channels == 3 ? ColorComponents.RedGreenBlue : ColorComponents.Grey);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or IOException))
        {
            // StbImageSharp reports a corrupt or unknown format with a plain Exception ("unknown image type").
            throw new DatasetFormatException(file, null, null, $"not a decodable image: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new DatasetFormatException(file, null, null, $"could not be read: {e.Message}", e);
        }
        // StbImageSharp gives interleaved pixels (y, x, channel); planes are (channel, y, x).
        int height = image.Height, width = image.Width, plane = height * width;
        var planar = new byte[channels * plane];
        for (int p = 0; p < plane; p++)
        {
            for (int c = 0; c < channels; c++) planar[(c * plane) + p] = image.Data[(p * channels) + c];
        }
        return new ImageExample(ImageResizer.Resize(planar, channels, height, width, size), size, size, label, channels);
    }
}
