namespace EarlyExit.Data.Scoring;

/// <summary>One input row of <c>earlyexit score</c>: its text and id, or why it cannot be scored.</summary>
/// <param name="Index">0-based position among the file's data rows (header and blank lines not counted): what resume counts.</param>
/// <param name="Line">1-based line of the file where the row starts, for messages.</param>
/// <param name="Id">The id column's value, or the 1-based row number when the file has no id column.</param>
/// <param name="Text">The text to classify; null when <paramref name="Problem"/> says why there is none.</param>
/// <param name="Problem">Why the row cannot be scored (empty text, a missing column, invalid UTF-8), or null.</param>
public sealed record ScoreRow(long Index, long Line, string Id, string? Text, string? Problem)
{
    /// <summary>True when the row can be classified.</summary>
    public bool IsValid => Problem is null;
}
