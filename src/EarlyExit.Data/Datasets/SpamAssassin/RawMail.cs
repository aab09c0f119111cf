namespace EarlyExit.Data.Datasets.SpamAssassin;

/// <summary>One mail file of the corpus before parsing.</summary>
/// <param name="FolderIndex">Position of its folder in the corpus' folder order.</param>
/// <param name="Folder">Folder name, such as "easy-ham-1".</param>
/// <param name="FileName">File name, such as "00001.7c53336b37003a9286aba55d2945844c.txt".</param>
/// <param name="Label">0 ham, 1 spam.</param>
/// <param name="Bytes">The raw message (headers and body).</param>
internal sealed record RawMail(int FolderIndex, string Folder, string FileName, int Label, byte[] Bytes);
