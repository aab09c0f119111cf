namespace EarlyExit.Torch.Models;

/// <summary>
/// Floating-point operations of one input through a <see cref="MultiExitEncoder"/>, from the
/// layer shapes and the input's own token count n (not the padded width of its batch).
/// </summary>
/// <remarks>
/// <para>Convention: a multiply-add is 2 FLOPs, and only the matrix products are counted (the usual
/// count for transformers, e.g. Kaplan et al. 2020 §2.1). With hidden size d, feed-forward size f,
/// C classes and n tokens, one layer is</para>
/// <code>
///   Q, K, V and O projections      4 · 2·n·d·d  = 8·n·d²
///   attention scores Q·Kᵀ              2·n·n·d  (all heads: h · 2·n·n·(d/h))
///   weighted sum of values P·V         2·n·n·d
///   feed-forward d→f→d             2 · 2·n·d·f  = 4·n·d·f
///   layer                          8·n·d² + 4·n²·d + 4·n·d·f
/// </code>
/// <para>and one exit head is 2·d² (the dense+tanh layer, when <see cref="EncoderConfig.HeadDense"/>)
/// + 2·d·C (the classifier), the same for every n: the pooled vector is one row.</para>
/// <para>Left out, each O(n·d) and so below 1 % of a layer for MiniLM at any n: biases, softmax,
/// GELU, LayerNorm, residual adds, the head's pooling, and the embedding look-ups. Attention cost
/// grows with n², so average FLOPs over inputs of different lengths, not FLOPs of the mean length.</para>
/// <para>Worked example, all-MiniLM-L6-v2 (d = 384, f = 1536) at n = 128: 8·128·384² = 150,994,944,
/// 4·128²·384 = 25,165,824, 4·128·384·1536 = 301,989,888; a layer is 478,150,656 FLOPs and the
/// 6-layer backbone 2.87 GFLOPs. A 2-class head is 2·384² + 2·384·2 = 296,448 FLOPs, 0.06 % of a layer.</para>
/// </remarks>
public static class EncoderFlops
{
    /// <summary>FLOPs of one transformer layer for an input of <paramref name="tokens"/> tokens: 8·n·d² + 4·n²·d + 4·n·d·f.</summary>
    /// <param name="config">The encoder's sizes.</param>
    /// <param name="tokens">n, the input's real tokens (special tokens included, padding excluded), ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tokens"/> is negative.</exception>
    public static double Layer(EncoderConfig config, int tokens)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Layer(tokens, config.HiddenSize, config.IntermediateSize);
    }

    /// <summary>
    /// FLOPs of one transformer layer of width <paramref name="hidden"/> and feed-forward width
    /// <paramref name="intermediate"/> over <paramref name="tokens"/> tokens, 8·n·d² + 4·n²·d + 4·n·d·f:
    /// the count of the remarks, shared by every transformer here (BERT's post-LN layer and the
    /// pre-LN blocks of <see cref="Vision.MultiExitVit"/> run the same matrix products).
    /// </summary>
    /// <param name="tokens">n, ≥ 0.</param>
    /// <param name="hidden">d, ≥ 1.</param>
    /// <param name="intermediate">f, ≥ 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    public static double Layer(int tokens, int hidden, int intermediate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(intermediate, 1);
        double n = tokens, d = hidden, f = intermediate;
        return (8 * n * d * d) + (4 * n * n * d) + (4 * n * d * f);
    }

    /// <summary>FLOPs of one exit head: 2·d² (dense, when <see cref="EncoderConfig.HeadDense"/>) + 2·d·C.</summary>
    /// <param name="config">The encoder's sizes.</param>
    public static double Exit(EncoderConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        double d = config.HiddenSize;
        return (config.HeadDense ? 2 * d * d : 0) + (2 * d * config.ClassCount);
    }
}
