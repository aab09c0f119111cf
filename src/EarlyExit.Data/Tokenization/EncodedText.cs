namespace EarlyExit.Data.Tokenization;

/// <summary>
/// One text (or sentence pair) tokenized and truncated but not padded: a row of a
/// <see cref="TokenBatch"/> before <see cref="TextTokenizer.Collate"/> pads it to its batch. Lets a
/// server tokenize each request where it arrives and batch rows of different requests later.
/// </summary>
/// <remarks>Immutable: the arrays are owned by the row and only exposed read-only.</remarks>
public sealed class EncodedText
{
    private readonly long[] _inputIds;
    private readonly long[] _tokenTypeIds;

    internal EncodedText(long[] inputIds, long[] tokenTypeIds)
    {
        _inputIds = inputIds;
        _tokenTypeIds = tokenTypeIds;
    }

    /// <summary>Real tokens, special tokens included.</summary>
    public int Length => _inputIds.Length;

    /// <summary>Vocabulary ids, <see cref="Length"/> of them: <c>[CLS] a [SEP]</c> or <c>[CLS] a [SEP] b [SEP]</c>
    /// (RoBERTa layout: <c>&lt;s&gt; a &lt;/s&gt;</c> or <c>&lt;s&gt; a &lt;/s&gt;&lt;/s&gt; b &lt;/s&gt;</c>).</summary>
    public ReadOnlyMemory<long> InputIds => _inputIds;

    /// <summary>Segment ids, <see cref="Length"/> of them: 0 up to the first [SEP], 1 for <c>b [SEP]</c>
    /// (all 0 in the RoBERTa layout).</summary>
    public ReadOnlyMemory<long> TokenTypeIds => _tokenTypeIds;
}
