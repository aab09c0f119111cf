namespace EarlyExit.Data.Tokenization;

/// <summary>
/// A tokenizer folder (see <see cref="TextTokenizer.FromFolder"/>) lacks a file, holds a malformed
/// one, or needs something Microsoft.ML.Tokenizers cannot build. The message is one line that
/// starts with <c>tokenizer folder PATH:</c> and names the file (and the line or field where it applies).
/// </summary>
public sealed class TokenizerFolderException : Exception
{
    /// <summary>Creates the exception for <paramref name="folder"/> with a one-line <paramref name="problem"/>.</summary>
    /// <param name="folder">The folder that was read.</param>
    /// <param name="problem">What is wrong, naming the file.</param>
    /// <param name="inner">The exception that revealed it, if any.</param>
    public TokenizerFolderException(string folder, string problem, Exception? inner = null)
        : base(OneLine($"tokenizer folder {folder}: {problem}"), inner)
    {
        Folder = folder;
    }

    /// <summary>The folder that was read.</summary>
    public string Folder { get; }

    private static string OneLine(string text) => Core.IO.Messages.OneLine(text);
}
