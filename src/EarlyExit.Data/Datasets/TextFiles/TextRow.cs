namespace EarlyExit.Data.Datasets.TextFiles;

/// <summary>One record of a text file, before labels become class indices.</summary>
/// <param name="Text">The text, not empty.</param>
/// <param name="TextPair">The second text, or <see langword="null"/>.</param>
/// <param name="Label">The label as written.</param>
/// <param name="Line">1-based line where the record starts, for error messages.</param>
internal sealed record TextRow(string Text, string? TextPair, string Label, long Line);
