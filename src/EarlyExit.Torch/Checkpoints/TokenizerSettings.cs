namespace EarlyExit.Torch.Checkpoints;

/// <summary>How a checkpoint's inputs were tokenized, so serving reproduces training.</summary>
/// <param name="Vocabulary">Which word-piece vocabulary, e.g. <c>all-MiniLM-L6-v2</c> (the bundled one).</param>
/// <param name="LowerCase">Whether text is lower-cased before word-piece splitting (uncased BERT vocabularies: true).</param>
/// <param name="MaxLength">Longest input in tokens, [CLS] and [SEP] included; longer inputs are truncated.</param>
public sealed record TokenizerSettings(string Vocabulary, bool LowerCase, int MaxLength);
