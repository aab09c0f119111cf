namespace EarlyExit;

/// <summary>
/// A model folder that cannot be used: missing, holding no finished model, of the wrong kind, or with
/// a corrupt checkpoint, calibration or tokenizer setting. Its <see cref="Problem"/> is one line that
/// says what is wrong and, where there is one, what to do; the CLI prints it after <c>--model FOLDER:</c>.
/// </summary>
public sealed class ModelFolderException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="folder">The folder as the user named it.</param>
    /// <param name="problem">What is wrong with it, one line.</param>
    /// <param name="innerException">The error that revealed it, if any.</param>
    public ModelFolderException(string folder, string problem, Exception? innerException = null)
        : base($"model folder {folder}: {problem}", innerException)
    {
        Folder = folder;
        Problem = problem;
    }

    /// <summary>Creates the exception with no message.</summary>
    public ModelFolderException()
        : this("", "unknown problem")
    {
    }

    /// <summary>Creates the exception with a message alone.</summary>
    /// <param name="message">What is wrong.</param>
    public ModelFolderException(string message)
        : this("", message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The error that revealed it.</param>
    public ModelFolderException(string message, Exception innerException)
        : this("", message, innerException)
    {
    }

    /// <summary>The folder, as the user named it.</summary>
    public string Folder { get; }

    /// <summary>What is wrong with it, without the folder.</summary>
    public string Problem { get; }
}
