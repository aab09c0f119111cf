namespace EarlyExit.Torch.Import;

/// <summary>
/// A Hugging Face model folder that cannot be imported: config.json missing or unparsable, a
/// <c>model_type</c> or config value this framework does not compute, no weights file, or weights
/// that do not fit the config (a key missing, unexpected or misshapen). The one exception
/// <see cref="HuggingFaceModel.Load"/> throws for a bad folder; its message is one line naming the
/// file and, where there is one, the key (and both shapes).
/// </summary>
public sealed class HuggingFaceFolderException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="folder">The model folder.</param>
    /// <param name="message">What is wrong, naming the file.</param>
    /// <param name="innerException">The parser's or reader's own error, if any.</param>
    public HuggingFaceFolderException(string folder, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Folder = folder;
    }

    /// <summary>Creates the exception with no message.</summary>
    public HuggingFaceFolderException() => Folder = "";

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    public HuggingFaceFolderException(string message) : base(message) => Folder = "";

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The error that revealed it.</param>
    public HuggingFaceFolderException(string message, Exception innerException) : base(message, innerException) => Folder = "";

    /// <summary>The model folder the problem is in.</summary>
    public string Folder { get; }
}
