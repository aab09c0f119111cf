using EarlyExit.Data.Datasets.FashionMnist;
using EarlyExit.Data.Datasets.FineFoods;
using EarlyExit.Data.Datasets.ImageFolders;
using EarlyExit.Data.Datasets.SpamAssassin;
using EarlyExit.Data.Datasets.TextFiles;
using EarlyExit.Data.Fetching;

namespace EarlyExit.Data.Datasets;

/// <summary>Loads the dataset a <see cref="DatasetSpec"/> names.</summary>
public static class DatasetCatalog
{
    /// <summary>Loads a text dataset.</summary>
    /// <param name="spec">Which dataset.</param>
    /// <param name="cache">Where downloads are kept; <see langword="null"/> for <see cref="DatasetCache.FromEnvironment"/>.</param>
    /// <param name="split">How missing splits are drawn; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels fetching.</param>
    /// <exception cref="ArgumentException"><paramref name="spec"/> names an image dataset.</exception>
    /// <exception cref="DatasetException">Fetching or reading fails.</exception>
    public static Dataset<TextExample> LoadText(DatasetSpec spec, DatasetCache? cache = null, SplitOptions? split = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Kind switch
        {
            DatasetKind.SpamAssassin => SpamAssassinDataset.Load(cache, split, cancellationToken),
            DatasetKind.FineFoods => FineFoodsDataset.Load(cache, split, cancellationToken),
            DatasetKind.Csv => TextFileDataset.Load(TextFileFormat.Csv, spec.Path!, spec.Columns, split),
            DatasetKind.Tsv => TextFileDataset.Load(TextFileFormat.Tsv, spec.Path!, spec.Columns, split),
            DatasetKind.JsonLines => TextFileDataset.Load(TextFileFormat.JsonLines, spec.Path!, spec.Columns, split),
            DatasetKind.PlainText => throw new DatasetException(
                $"--data {spec} holds texts without labels; it serves only a label-free objective (train --objective self-distill); give a labelled csv:, tsv: or jsonl: file here"),
            _ => throw new ArgumentException($"'{spec}' is an image dataset; load it with LoadImages", nameof(spec)),
        };
    }

    /// <summary>Loads an image dataset.</summary>
    /// <param name="spec">Which dataset: fashion-mnist, or your folder (<c>images:PATH</c>).</param>
    /// <param name="cache">Where downloads are kept; <see langword="null"/> for <see cref="DatasetCache.FromEnvironment"/>.</param>
    /// <param name="split">How validation is drawn; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels fetching.</param>
    /// <exception cref="ArgumentException"><paramref name="spec"/> names a text dataset.</exception>
    /// <exception cref="DatasetException">Fetching or reading fails.</exception>
    public static Dataset<ImageExample> LoadImages(DatasetSpec spec, DatasetCache? cache = null, SplitOptions? split = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Kind switch
        {
            DatasetKind.FashionMnist => FashionMnistDataset.Load(cache, split, cancellationToken),
            DatasetKind.ImageFolder => ImageFolderDataset.Load(spec.Path!, spec.ImageSize ?? ImageFolderDataset.DefaultImageSize, split),
            _ => throw new ArgumentException($"'{spec}' is a text dataset; load it with LoadText", nameof(spec)),
        };
    }
}
