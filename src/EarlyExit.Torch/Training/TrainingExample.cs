namespace EarlyExit.Torch.Training;

/// <summary>
/// One labelled, tokenized input, unpadded: the trainer pads each batch to its longest row.
/// </summary>
/// <remarks>
/// Kept free of the data-set library on purpose: build examples from any tokenizer's output,
/// e.g. a <c>TokenBatch</c> row with <see cref="FromPaddedRow"/>.
/// </remarks>
public sealed record TrainingExample
{
    /// <summary>Creates an example.</summary>
    /// <param name="inputIds">Word-piece ids, [CLS] and [SEP] included, no padding; at least one.</param>
    /// <param name="tokenTypeIds">Segment ids of the same length, or null for all zeros (a single text).</param>
    /// <param name="label">0-based class index, or <see cref="NoLabel"/> for a text without one (label-free objectives only).</param>
    /// <exception cref="ArgumentException">No ids, or the segment ids' length differs.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="label"/> is below <see cref="NoLabel"/>.</exception>
    public TrainingExample(long[] inputIds, long[]? tokenTypeIds, int label)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.Length == 0)
            throw new ArgumentException("inputIds must hold at least one token; got none", nameof(inputIds));
        if (tokenTypeIds is not null && tokenTypeIds.Length != inputIds.Length)
            throw new ArgumentException($"tokenTypeIds must have the length of inputIds ({inputIds.Length}); got {tokenTypeIds.Length}", nameof(tokenTypeIds));
        ArgumentOutOfRangeException.ThrowIfLessThan(label, NoLabel);
        InputIds = inputIds;
        TokenTypeIds = tokenTypeIds;
        Label = label;
    }

    /// <summary>The label of an example that has none: what a label-free objective (docs/algorithms.md §3.5) trains on.</summary>
    public const int NoLabel = -1;

    /// <summary>Word-piece ids, unpadded.</summary>
    public long[] InputIds { get; }

    /// <summary>Segment ids, or null for all zeros.</summary>
    public long[]? TokenTypeIds { get; }

    /// <summary>0-based class index, or <see cref="NoLabel"/>.</summary>
    public int Label { get; }

    /// <summary>Whether the example has a label.</summary>
    public bool IsLabelled => Label != NoLabel;

    /// <summary>Number of tokens.</summary>
    public int Length => InputIds.Length;

    /// <summary>
    /// Builds an example from one row of a right-padded batch (e.g. <c>TokenBatch.InputIdsOf(row)</c>,
    /// <c>TokenTypeIdsOf(row)</c>, <c>AttentionMaskOf(row)</c>), keeping the tokens where the mask is 1.
    /// </summary>
    /// <param name="inputIds">The row's ids, padding included.</param>
    /// <param name="tokenTypeIds">The row's segment ids, same length.</param>
    /// <param name="attentionMask">The row's mask: ones, then zeros for padding.</param>
    /// <param name="label">0-based class index.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the mask is not ones followed by zeros.</exception>
    public static TrainingExample FromPaddedRow(ReadOnlySpan<long> inputIds, ReadOnlySpan<long> tokenTypeIds, ReadOnlySpan<long> attentionMask, int label)
    {
        if (tokenTypeIds.Length != inputIds.Length || attentionMask.Length != inputIds.Length)
            throw new ArgumentException($"the row's ids ({inputIds.Length}), segment ids ({tokenTypeIds.Length}) and mask ({attentionMask.Length}) must have one length");
        int length = attentionMask.IndexOf(0L);
        if (length < 0) length = attentionMask.Length;
        for (int i = 0; i < attentionMask.Length; i++)
        {
            if (attentionMask[i] != (i < length ? 1 : 0))
                throw new ArgumentException($"attentionMask must be ones then zeros (right padding); got {attentionMask[i]} at position {i}", nameof(attentionMask));
        }
        return new TrainingExample(inputIds[..length].ToArray(), tokenTypeIds[..length].ToArray(), label);
    }
}
