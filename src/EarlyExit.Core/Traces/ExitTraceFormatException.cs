namespace EarlyExit.Core.Traces;

/// <summary>
/// Thrown when a file is not a readable exit-trace file (<see cref="ExitTraceFile"/>): wrong magic
/// number, unknown format version or flags, truncated, absurd sizes, checksum mismatch, or a
/// trace whose content is invalid (a label out of range, FLOPs decreasing).
/// </summary>
/// <remarks>
/// The message names the file and what is wrong with the numbers involved, e.g.
/// "'run1.eetrace' is not a valid exit-trace file: truncated: expected 4,800,000 bytes of logits, found 1,234".
/// </remarks>
public sealed class ExitTraceFormatException : IOException
{
    /// <summary>Creates the exception for one problem with one file.</summary>
    /// <param name="filePath">The file that was read.</param>
    /// <param name="problem">What is wrong, with the values found and expected.</param>
    /// <param name="innerException">The exception that revealed the problem, if any.</param>
    public ExitTraceFormatException(string filePath, string problem, Exception? innerException = null)
        : base($"'{filePath}' is not a valid exit-trace file: {problem}", innerException)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The file that was read.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }
}
