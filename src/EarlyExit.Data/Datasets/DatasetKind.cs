namespace EarlyExit.Data.Datasets;

/// <summary>The datasets a <see cref="DatasetSpec"/> can name.</summary>
public enum DatasetKind
{
    /// <summary>SpamAssassin e-mails (text, 2 classes).</summary>
    SpamAssassin,

    /// <summary>Fine-food reviews (text, 2 classes).</summary>
    FineFoods,

    /// <summary>Fashion-MNIST (images, 10 classes).</summary>
    FashionMnist,

    /// <summary>Your CSV file or folder.</summary>
    Csv,

    /// <summary>Your TSV file or folder.</summary>
    Tsv,

    /// <summary>Your JSON Lines file or folder.</summary>
    JsonLines,

    /// <summary>Your plain UTF-8 text file, one text per line and no labels: for label-free training (self-distillation).</summary>
    PlainText,

    /// <summary>Your folder of images, one sub-folder per class (images, any number of classes).</summary>
    ImageFolder,
}
