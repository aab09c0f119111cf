namespace EarlyExit.Data.Tokenization;

/// <summary>
/// A tokenized, padded batch: the three inputs of a BERT-style encoder, each a row-major
/// <c>(BatchSize, SequenceLength)</c> matrix of <see langword="long"/> (the integer type that embedding
/// look-ups and ONNX BERT graphs take), plus the unpadded length of every row.
/// </summary>
/// <remarks>
/// Immutable: the arrays are owned by the batch and only exposed read-only. Two batches are equal
/// when their shapes and contents are equal.
/// </remarks>
public sealed record TokenBatch
{
    private readonly long[] _inputIds;
    private readonly long[] _tokenTypeIds;
    private readonly long[] _attentionMask;
    private readonly int[] _lengths;

    internal TokenBatch(int batchSize, int sequenceLength, long[] inputIds, long[] tokenTypeIds, long[] attentionMask, int[] lengths)
    {
        BatchSize = batchSize;
        SequenceLength = sequenceLength;
        _inputIds = inputIds;
        _tokenTypeIds = tokenTypeIds;
        _attentionMask = attentionMask;
        _lengths = lengths;
    }

    /// <summary>Number of rows (inputs).</summary>
    public int BatchSize { get; }

    /// <summary>Number of columns: the longest row, or the tokenizer's max length when it pads to a fixed length.</summary>
    public int SequenceLength { get; }

    /// <summary>Vocabulary ids, shape <c>(BatchSize, SequenceLength)</c>, row-major; padding is the [PAD] id (0 for MiniLM).</summary>
    public ReadOnlyMemory<long> InputIds => _inputIds;

    /// <summary>Segment ids, shape <c>(BatchSize, SequenceLength)</c>: 0 for [CLS], the first text and its [SEP];
    /// 1 for the second text of a pair and its [SEP]; 0 for padding.</summary>
    public ReadOnlyMemory<long> TokenTypeIds => _tokenTypeIds;

    /// <summary>Attention mask, shape <c>(BatchSize, SequenceLength)</c>: 1 for a real token, 0 for padding.</summary>
    public ReadOnlyMemory<long> AttentionMask => _attentionMask;

    /// <summary>Real (unpadded) tokens per row, special tokens included; shape <c>(BatchSize)</c>.</summary>
    public ReadOnlyMemory<int> Lengths => _lengths;

    /// <summary>The ids of one row, padding included.</summary>
    /// <param name="row">0-based row index.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="row"/> is not in [0, BatchSize).</exception>
    public ReadOnlySpan<long> InputIdsOf(int row) => RowOf(_inputIds, row);

    /// <summary>The segment ids of one row, padding included.</summary>
    /// <param name="row">0-based row index.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="row"/> is not in [0, BatchSize).</exception>
    public ReadOnlySpan<long> TokenTypeIdsOf(int row) => RowOf(_tokenTypeIds, row);

    /// <summary>The attention mask of one row.</summary>
    /// <param name="row">0-based row index.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="row"/> is not in [0, BatchSize).</exception>
    public ReadOnlySpan<long> AttentionMaskOf(int row) => RowOf(_attentionMask, row);

    /// <inheritdoc />
    public bool Equals(TokenBatch? other) =>
        other is not null
        && BatchSize == other.BatchSize
        && SequenceLength == other.SequenceLength
        && _inputIds.AsSpan().SequenceEqual(other._inputIds)
        && _tokenTypeIds.AsSpan().SequenceEqual(other._tokenTypeIds)
        && _attentionMask.AsSpan().SequenceEqual(other._attentionMask)
        && _lengths.AsSpan().SequenceEqual(other._lengths);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(BatchSize);
        hash.Add(SequenceLength);
        hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_inputIds.AsSpan()));
        return hash.ToHashCode();
    }

    private ReadOnlySpan<long> RowOf(long[] matrix, int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, BatchSize);
        return matrix.AsSpan(row * SequenceLength, SequenceLength);
    }
}
