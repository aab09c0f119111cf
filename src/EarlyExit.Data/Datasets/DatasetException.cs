namespace EarlyExit.Data.Datasets;

/// <summary>
/// A dataset could not be fetched, verified or read: a missing tool (npm, apt-get, dpkg), a
/// refused download, a checksum mismatch, or malformed data. The message says what to do.
/// </summary>
public class DatasetException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and, where there is one, the fix.</param>
    public DatasetException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What went wrong and, where there is one, the fix.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public DatasetException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
