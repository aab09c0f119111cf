using System.Collections.Immutable;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Runtime;

/// <summary>
/// The rows of a batch still running through a multi-exit model: their hidden states, the
/// per-row tensors the layers need alongside (attention mask and bias for text), which input of
/// the batch each row is, and each row's size for FLOP counting. Immutable: running a layer or
/// dropping the rows that exited gives a new state.
/// </summary>
/// <remarks>
/// Every tensor has the rows on dimension 0, so <see cref="SelectRows"/> compacts them all with
/// one <c>index_select</c> each. Tensors belong to the dispose scope they were created in (the
/// runtime opens one per batch), unless <see cref="DisposeTensorsExcept"/> frees them sooner, or
/// <see cref="DetachFromDisposeScope"/> takes them out of it for a state that outlives the scope
/// (the server's rows waiting between steps); then its holder frees them with <see cref="DisposeTensorsExcept"/>.
/// </remarks>
public sealed class ExitBatchState
{
    private ExitBatchState(Tensor hidden, Tensor? attentionMask, Tensor? attentionBias,
        ImmutableArray<int> inputRows, ImmutableArray<int> tokenCounts)
    {
        Hidden = hidden;
        AttentionMask = attentionMask;
        AttentionBias = attentionBias;
        InputRows = inputRows;
        TokenCounts = tokenCounts;
    }

    /// <summary>(rows, …) hidden states: (rows, seq, hidden) for a transformer, (rows, channels, h, w) for a CNN.</summary>
    public Tensor Hidden { get; }

    /// <summary>(rows, seq), 1 for tokens and 0 for padding; null for models without padding.</summary>
    public Tensor? AttentionMask { get; }

    /// <summary>(rows, 1, 1, seq) additive attention bias computed once per batch from the mask; null without padding.</summary>
    public Tensor? AttentionBias { get; }

    /// <summary>For each row, the 0-based index of its input in the batch given to <see cref="IMultiExitModel{TInput}.Begin"/>.</summary>
    public ImmutableArray<int> InputRows { get; }

    /// <summary>For each row, the size its FLOPs are counted for (<see cref="IMultiExitModel.LayerFlops"/>): real tokens for text.</summary>
    public ImmutableArray<int> TokenCounts { get; }

    /// <summary>Number of rows.</summary>
    public int RowCount => InputRows.Length;

    /// <summary>Positions per row, padding included: the mask's width (1 without a mask). A layer call
    /// on this state costs <see cref="RowCount"/> × this many padded tokens.</summary>
    public int PaddedWidth => (int)(AttentionMask?.shape[1] ?? 1);

    /// <summary>Creates the state of a whole batch: row r is input r.</summary>
    /// <param name="hidden">(batch, …) input of layer 0.</param>
    /// <param name="attentionMask">(batch, seq) mask, or null.</param>
    /// <param name="attentionBias">(batch, 1, 1, seq) bias, or null.</param>
    /// <param name="tokenCounts">Each input's size, length batch, each ≥ 0.</param>
    /// <exception cref="ArgumentException">A tensor's first dimension is not the batch size
    /// (the length of <paramref name="tokenCounts"/>), the batch is empty, or a count is negative.</exception>
    public static ExitBatchState Start(Tensor hidden, Tensor? attentionMask, Tensor? attentionBias, ReadOnlySpan<int> tokenCounts)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        if (tokenCounts.IsEmpty)
            throw new ArgumentException("a batch needs at least one row; got 0 token counts", nameof(tokenCounts));
        for (int r = 0; r < tokenCounts.Length; r++)
        {
            if (tokenCounts[r] < 0)
                throw new ArgumentException($"tokenCounts[{r}] is {tokenCounts[r]}; a row cannot have fewer than 0 tokens", nameof(tokenCounts));
        }
        CheckRows(hidden, tokenCounts.Length, nameof(hidden));
        CheckRows(attentionMask, tokenCounts.Length, nameof(attentionMask));
        CheckRows(attentionBias, tokenCounts.Length, nameof(attentionBias));
        var rows = new int[tokenCounts.Length];
        for (int r = 0; r < rows.Length; r++) rows[r] = r;
        return new ExitBatchState(hidden, attentionMask, attentionBias,
            ImmutableArray.Create(rows), ImmutableArray.Create(tokenCounts));
    }

    /// <summary>The same rows with new hidden states (a layer's output).</summary>
    /// <param name="hidden">(rows, …), one row per row of this state.</param>
    /// <exception cref="ArgumentException">The first dimension is not <see cref="RowCount"/>.</exception>
    public ExitBatchState WithHidden(Tensor hidden)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        CheckRows(hidden, RowCount, nameof(hidden));
        return new ExitBatchState(hidden, AttentionMask, AttentionBias, InputRows, TokenCounts);
    }

    /// <summary>
    /// Keeps only the given rows, in the given order: every tensor is compacted with
    /// <c>index_select</c> on dimension 0, so later layers compute nothing for the rows left out.
    /// </summary>
    /// <param name="rows">0-based rows of this state, each in [0, <see cref="RowCount"/>); at least one.</param>
    /// <returns>A state of <c>rows.Length</c> rows.</returns>
    /// <exception cref="ArgumentException"><paramref name="rows"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A row is out of range.</exception>
    public ExitBatchState SelectRows(ReadOnlySpan<int> rows)
    {
        if (rows.IsEmpty)
            throw new ArgumentException("rows must name at least one row to keep; got none", nameof(rows));
        var indices = new long[rows.Length];
        var inputRows = new int[rows.Length];
        var tokenCounts = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            int r = rows[i];
            if ((uint)r >= (uint)RowCount)
                throw new ArgumentOutOfRangeException(nameof(rows), r, $"rows[{i}] must be between 0 and {RowCount - 1} (the state has {RowCount} rows); got {r}");
            indices[i] = r;
            inputRows[i] = InputRows[r];
            tokenCounts[i] = TokenCounts[r];
        }
        // One host-to-device copy of the kept row indices; the tensors are compacted where they live.
        using Tensor index = tensor(indices, device: Hidden.device);
        return new ExitBatchState(
            Hidden.index_select(0, index),
            AttentionMask?.index_select(0, index),
            AttentionBias?.index_select(0, index),
            ImmutableArray.Create(inputRows),
            ImmutableArray.Create(tokenCounts));
    }

    /// <summary>
    /// Cuts the padding no row needs: with a mask, the positions past the longest row's
    /// <see cref="TokenCounts"/> are dropped from the hidden states, the mask and the bias (padding
    /// is at the end, as <see cref="Concat"/> and the tokenizer's collation put it). Rows of several
    /// widths meet in <see cref="Concat"/> padded to the widest; once the wide rows exit, the rows
    /// left need not pay for that width in every later layer. A padded position gets no attention
    /// weight, so each row's outputs are unchanged (beyond float rounding).
    /// </summary>
    /// <returns>A state of the same rows, its tensors contiguous copies (the ONNX backend shares a
    /// tensor's memory with ONNX Runtime, which needs it contiguous); this state itself when it has
    /// no mask or no padding to cut.</returns>
    public ExitBatchState TrimPadding()
    {
        if (AttentionMask is null) return this;
        long longest = 0;
        foreach (int count in TokenCounts) longest = Math.Max(longest, count);
        // A row of 0 tokens still holds one position (its shape must stay valid).
        longest = Math.Max(longest, 1);
        if (longest >= PaddedWidth) return this;
        return new ExitBatchState(
            Hidden.narrow(1, 0, longest).contiguous(),
            AttentionMask.narrow(1, 0, longest).contiguous(),
            AttentionBias?.narrow(AttentionBias.dim() - 1, 0, longest).contiguous(),
            InputRows, TokenCounts);
    }

    /// <summary>
    /// Frees this state's tensors now instead of at the end of their dispose scope, except those
    /// <paramref name="keep"/> still holds (a layer replaces only the hidden states, so a state and
    /// its successor share the mask and bias until rows are dropped). Call it on a state no one reads
    /// again. The runtime does after each layer, so a batch holds two layers' hidden states at a
    /// time instead of all M, and the next layer's output can reuse the memory just freed.
    /// </summary>
    /// <param name="keep">The state that replaces this one, or null to free every tensor.</param>
    public void DisposeTensorsExcept(ExitBatchState? keep)
    {
        foreach (Tensor? tensor in (Tensor?[])[Hidden, AttentionMask, AttentionBias])
        {
            if (tensor is null) continue;
            if (keep is not null && (ReferenceEquals(tensor, keep.Hidden) || ReferenceEquals(tensor, keep.AttentionMask) || ReferenceEquals(tensor, keep.AttentionBias)))
                continue;
            tensor.Dispose();
        }
    }

    /// <summary>
    /// Takes this state's tensors out of the dispose scope they belong to, so they live on when it
    /// ends; whoever holds the state then frees them (<see cref="DisposeTensorsExcept"/>). Tensors
    /// already outside any scope (shared with a state detached before) stay as they are.
    /// </summary>
    /// <returns>This state.</returns>
    public ExitBatchState DetachFromDisposeScope()
    {
        Hidden.DetachFromDisposeScope();
        AttentionMask?.DetachFromDisposeScope();
        AttentionBias?.DetachFromDisposeScope();
        return this;
    }

    /// <summary>
    /// Joins the rows of several states, possibly from different batches and of different padded
    /// lengths, into one state, so one layer call can run on all of them (the server's
    /// depth-pooled batching). Row order: the rows of <c>parts[0]</c>, then of <c>parts[1]</c>, ….
    /// </summary>
    /// <param name="parts">At least one state; all with an attention mask or all without, and
    /// likewise for the bias. With a mask, hidden states are (rows, seq, …) with the mask's seq;
    /// without one, every dimension but the rows must agree.</param>
    /// <returns>A state of Σ rows. With masks, every part is padded at the end to the longest seq:
    /// hidden states with 0, the mask with 0 (padding) and the bias with the lowest finite value
    /// of its dtype, the value <c>MultiExitEncoder.AttentionBias</c> gives padding, so a padded
    /// position gets exactly no attention weight and a row's outputs do not depend on the width
    /// it is padded to (beyond float rounding). <see cref="InputRows"/> are renumbered 0..n−1 in
    /// the order above (the parts came from different <c>Begin</c> calls, so their own numbers
    /// would collide); <see cref="TokenCounts"/> are carried over.</returns>
    /// <exception cref="ArgumentException"><paramref name="parts"/> is empty or holds null, the
    /// parts disagree on having a mask or a bias, or their shapes do not fit together.</exception>
    public static ExitBatchState Concat(IReadOnlyList<ExitBatchState> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0)
            throw new ArgumentException("parts must hold at least one state; got none", nameof(parts));
        for (int i = 0; i < parts.Count; i++)
        {
            if (parts[i] is null) throw new ArgumentException($"parts[{i}] is null", nameof(parts));
        }
        ExitBatchState first = parts[0];
        bool masked = first.AttentionMask is not null, biased = first.AttentionBias is not null;
        long width = 0;
        for (int i = 0; i < parts.Count; i++)
        {
            ExitBatchState part = parts[i];
            if ((part.AttentionMask is not null) != masked || (part.AttentionBias is not null) != biased)
                throw new ArgumentException(
                    $"parts[{i}] {(part.AttentionMask is null ? "has no" : "has an")} attention mask and {(part.AttentionBias is null ? "no" : "a")} bias; "
                    + $"parts[0] {(masked ? "has a" : "has no")} mask and {(biased ? "a" : "no")} bias: all parts must agree", nameof(parts));
            if (masked)
            {
                long seq = part.AttentionMask!.shape[1];
                if (part.Hidden.dim() < 2 || part.Hidden.shape[1] != seq)
                    throw new ArgumentException(
                        $"parts[{i}].Hidden has shape ({string.Join(", ", part.Hidden.shape)}); with a mask of {seq} positions it must be (rows, {seq}, …)", nameof(parts));
                width = Math.Max(width, seq);
            }
            if (!part.Hidden.shape.AsSpan(masked ? 2 : 1).SequenceEqual(first.Hidden.shape.AsSpan(masked ? 2 : 1)))
                throw new ArgumentException(
                    $"parts[{i}].Hidden has shape ({string.Join(", ", part.Hidden.shape)}), which does not fit parts[0]'s ({string.Join(", ", first.Hidden.shape)})", nameof(parts));
        }

        var hidden = new Tensor[parts.Count];
        var masks = masked ? new Tensor[parts.Count] : null;
        var biases = biased ? new Tensor[parts.Count] : null;
        var tokenCounts = ImmutableArray.CreateBuilder<int>();
        for (int i = 0; i < parts.Count; i++)
        {
            ExitBatchState part = parts[i];
            hidden[i] = masked ? PadEnd(part.Hidden, 1, width, 0) : part.Hidden;
            if (masks is not null) masks[i] = PadEnd(part.AttentionMask!, 1, width, 0);
            if (biases is not null)
            {
                Tensor bias = part.AttentionBias!;
                biases[i] = PadEnd(bias, bias.dim() - 1, width, finfo(bias.dtype).min);
            }
            tokenCounts.AddRange(part.TokenCounts);
        }
        var rows = new int[tokenCounts.Count];
        for (int r = 0; r < rows.Length; r++) rows[r] = r;
        return new ExitBatchState(
            parts.Count == 1 ? hidden[0] : cat(hidden, 0),
            masks is null ? null : parts.Count == 1 ? masks[0] : cat(masks, 0),
            biases is null ? null : parts.Count == 1 ? biases[0] : cat(biases, 0),
            ImmutableArray.Create(rows), tokenCounts.ToImmutable());
    }

    /// <summary><paramref name="tensor"/> extended along <paramref name="dim"/> to <paramref name="length"/> with <paramref name="value"/>; itself when already that long.</summary>
    private static Tensor PadEnd(Tensor tensor, long dim, long length, double value)
    {
        long missing = length - tensor.shape[dim];
        if (missing == 0) return tensor;
        long[] shape = tensor.shape;
        shape[dim] = missing;
        using Tensor padding = full(shape, value, dtype: tensor.dtype, device: tensor.device);
        return cat([tensor, padding], dim);
    }

    private static void CheckRows(Tensor? tensor, int rows, string name)
    {
        if (tensor is null) return;
        if (tensor.dim() < 1 || tensor.shape[0] != rows)
            throw new ArgumentException(
                $"{name} must have {rows} rows on dimension 0; got shape ({string.Join(", ", tensor.shape)})", name);
    }
}
