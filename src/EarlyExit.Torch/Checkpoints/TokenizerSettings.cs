namespace EarlyExit.Torch.Checkpoints;

/// <summary>How a checkpoint's inputs were tokenized, so serving reproduces training.</summary>
/// <param name="Vocabulary">Which vocabulary, e.g. <c>all-MiniLM-L6-v2</c> (the bundled one), or the name of the folder an imported tokenizer came from.</param>
/// <param name="LowerCase">Whether text is lower-cased before word-piece splitting (uncased BERT vocabularies: true).</param>
/// <param name="MaxLength">Longest input in tokens, [CLS] and [SEP] included; longer inputs are truncated.</param>
public sealed record TokenizerSettings(string Vocabulary, bool LowerCase, int MaxLength)
{
    /// <summary>
    /// The model folder's sub-folder holding the tokenizer's own files (a tokenizer read from a
    /// Hugging Face folder), relative to the model folder; null for the bundled vocabulary that
    /// <see cref="Vocabulary"/> names. Absent from files written before it existed: those read as null.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Folder { get; init; }
}
