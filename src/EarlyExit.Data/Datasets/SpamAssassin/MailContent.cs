namespace EarlyExit.Data.Datasets.SpamAssassin;

/// <summary>The text of one e-mail: its decoded subject and its cleaned body (text parts, HTML as text).</summary>
/// <param name="Subject">Decoded Subject header; empty when absent.</param>
/// <param name="Body">Text of the body; empty when the mail has no text part or only markup.</param>
internal sealed record MailContent(string Subject, string Body);
