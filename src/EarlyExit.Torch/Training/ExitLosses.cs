using static TorchSharp.torch;

namespace EarlyExit.Torch.Training;

/// <summary>Loss pieces the objectives share.</summary>
internal static class ExitLosses
{
    /// <summary>CE_n^(m) = −log softmax(z_n^(m))[y_n] for every exit and sample.</summary>
    /// <param name="logits">(exits, batch, classes).</param>
    /// <param name="labels">(batch) int64.</param>
    /// <returns>(exits, batch).</returns>
    public static Tensor PerSample(Tensor logits, Tensor labels)
    {
        CheckShapes(logits, labels);
        using var scope = NewDisposeScope();
        long exits = logits.shape[0];
        Tensor index = labels.view(1, -1, 1).expand(exits, -1, 1); // (exits, batch, 1)
        return (-logits.log_softmax(-1).gather(-1, index).squeeze(-1)).MoveToOuterDisposeScope();
    }

    /// <summary>w_m = m (1-based) for m = 1..M: deeper exits cost more, so their loss weighs more (Kaya et al. 2019; BEEM).</summary>
    /// <returns>(exits) float32.</returns>
    public static Tensor DepthWeights(long exits, Device device) =>
        arange(1, exits + 1, dtype: ScalarType.Float32, device: device);

    /// <summary>L = Σ_m m·L_m / Σ_m m for per-exit losses <paramref name="perExit"/> (exits).</summary>
    public static Tensor DepthWeightedMean(Tensor perExit)
    {
        using var scope = NewDisposeScope();
        Tensor w = DepthWeights(perExit.shape[0], perExit.device);
        return ((w * perExit).sum() / w.sum()).MoveToOuterDisposeScope();
    }

    public static void CheckShapes(Tensor logits, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        if (logits.dim() != 3)
            throw new ArgumentException($"logits must be (exits, batch, classes); got shape ({string.Join(", ", logits.shape)})", nameof(logits));
        if (labels.dim() != 1 || labels.shape[0] != logits.shape[1] || labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"labels must be (batch = {logits.shape[1]}) int64; got shape ({string.Join(", ", labels.shape)}) {labels.dtype}", nameof(labels));
    }
}
