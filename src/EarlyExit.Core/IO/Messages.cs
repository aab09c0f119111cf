namespace EarlyExit.Core.IO;

/// <summary>Error text as the project prints it: every message one line.</summary>
public static class Messages
{
    /// <summary>The message with its line breaks folded into spaces (blank lines dropped, each line trimmed).</summary>
    /// <param name="message">Any text, e.g. an exception's message.</param>
    public static string OneLine(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
