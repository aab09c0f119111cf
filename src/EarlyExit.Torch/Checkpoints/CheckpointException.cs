namespace EarlyExit.Torch.Checkpoints;

/// <summary>
/// A checkpoint that cannot be loaded: a file missing, metadata that is not valid JSON or of another
/// format version, or weights that do not fit the config (a tensor missing, misshapen, unexpected or
/// truncated, or its bytes not where the safetensors format puts them: negative, overlapping another's,
/// or leaving a hole). The one exception <see cref="ModelCheckpoint"/> throws for a bad checkpoint, so a
/// caller catches one type; the message names the file and, where there is one, the tensor.
/// </summary>
public sealed class CheckpointException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the file.</param>
    public CheckpointException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the error that revealed the problem.</summary>
    /// <param name="message">What is wrong, naming the file.</param>
    /// <param name="innerException">The parser's or the reader's own error.</param>
    public CheckpointException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with no message.</summary>
    public CheckpointException()
    {
    }
}
