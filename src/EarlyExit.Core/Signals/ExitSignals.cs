namespace EarlyExit.Core.Signals;

/// <summary>
/// Computes the exit signals of docs/algorithms.md §1 from logits, numerically stably.
/// </summary>
/// <remarks>
/// Every signal goes through the log-sum-exp with the maximum subtracted,
/// lse(z) = z_max + log Σ_c e^{z_c − z_max}, so logits of any magnitude neither
/// overflow nor underflow. p_c = e^{z_c − lse}. Entropy is computed as
/// H = lse − Σ_c p_c z_c, which needs no log of a probability that underflowed to 0.
/// NaN or infinite logits throw <see cref="InvalidLogitsException"/>: an exit must never be
/// decided on garbage.
/// </remarks>
public static class ExitSignals
{
    /// <summary>True for a signal where higher means surer (max-prob); false where lower does.</summary>
    public static bool IsConfidence(ExitSignal signal) => signal == ExitSignal.MaxProb;

    /// <summary>Computes all signals of one exit for one sample.</summary>
    /// <param name="logits">z, one value per class (length C ≥ 1).</param>
    /// <param name="sample">0-based sample index, only for the error message.</param>
    /// <param name="exit">0-based exit index, only for the error message.</param>
    /// <exception cref="ArgumentException">Empty logits.</exception>
    /// <exception cref="InvalidLogitsException">A NaN or infinite logit.</exception>
    public static SignalValues Compute(ReadOnlySpan<float> logits, int sample = -1, int exit = -1)
    {
        if (logits.IsEmpty)
            throw new ArgumentException("logits must hold at least one class; got 0 values", nameof(logits));

        int argmax = 0;
        float max = logits[0];
        for (int c = 0; c < logits.Length; c++)
        {
            float z = logits[c];
            if (!float.IsFinite(z))
                throw new InvalidLogitsException(sample, exit, c, z);
            if (z > max) { max = z; argmax = c; }
        }

        // sumExp = Σ e^{z_c − max} ∈ [1, C]; weighted = Σ e^{z_c − max}·(z_c − max) ≤ 0.
        double sumExp = 0, weighted = 0;
        for (int c = 0; c < logits.Length; c++)
        {
            double shifted = logits[c] - (double)max;
            double e = Math.Exp(shifted);
            sumExp += e;
            weighted += e * shifted;
        }
        double logSumExp = max + Math.Log(sumExp);
        // H = lse − Σ p_c z_c = log(sumExp) − weighted / sumExp  (the max cancels).
        double entropy = Math.Max(0.0, Math.Log(sumExp) - weighted / sumExp);
        double maxProb = 1.0 / sumExp; // e^{max − lse}
        double normalizedEntropy = logits.Length > 1 ? entropy / Math.Log(logits.Length) : 0.0;
        double energy = -logSumExp;
        // σ(E) = 1/(1 + e^{lse}); for lse > 0 rewrite as e^{−lse}/(1 + e^{−lse}) to stay finite.
        double normalizedEnergy = logSumExp > 0
            ? Math.Exp(-logSumExp) / (1.0 + Math.Exp(-logSumExp))
            : 1.0 / (1.0 + Math.Exp(logSumExp));

        return new SignalValues(argmax, (float)maxProb, (float)entropy, (float)normalizedEntropy,
            (float)energy, (float)normalizedEnergy);
    }

    /// <summary>Computes one signal of one exit for one sample.</summary>
    /// <inheritdoc cref="Compute(ReadOnlySpan{float}, int, int)"/>
    public static float Compute(ExitSignal signal, ReadOnlySpan<float> logits, int sample = -1, int exit = -1)
        => Compute(logits, sample, exit)[signal];

    /// <summary>p = softmax(z), in double with the maximum subtracted, stored as float.</summary>
    /// <param name="logits">z, one finite value per class (length C ≥ 1).</param>
    /// <returns>C probabilities summing to 1 (up to float rounding).</returns>
    /// <exception cref="ArgumentException">Empty logits.</exception>
    /// <exception cref="InvalidLogitsException">A NaN or infinite logit.</exception>
    public static float[] Softmax(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty)
            throw new ArgumentException("logits must hold at least one class; got 0 values", nameof(logits));
        float max = logits[0];
        for (int c = 0; c < logits.Length; c++)
        {
            if (!float.IsFinite(logits[c]))
                throw new InvalidLogitsException(-1, -1, c, logits[c]);
            max = Math.Max(max, logits[c]);
        }
        double sum = 0;
        foreach (float z in logits) sum += Math.Exp(z - (double)max);
        var p = new float[logits.Length];
        for (int c = 0; c < p.Length; c++) p[c] = (float)(Math.Exp(logits[c] - (double)max) / sum);
        return p;
    }

    /// <summary>
    /// Computes all signals for a batch of one exit's logits, laid out row-major (batch, classes).
    /// </summary>
    /// <param name="logits">Row-major logits, length batch × <paramref name="classes"/>.</param>
    /// <param name="classes">C, the number of classes.</param>
    /// <param name="destination">One entry per row; length batch.</param>
    /// <param name="exit">0-based exit index, only for error messages.</param>
    /// <param name="firstSample">Index of the batch's first row in the data set, for error messages.</param>
    /// <exception cref="ArgumentException">The lengths disagree.</exception>
    /// <exception cref="InvalidLogitsException">A NaN or infinite logit.</exception>
    public static void ComputeBatch(ReadOnlySpan<float> logits, int classes, Span<SignalValues> destination,
        int exit = -1, int firstSample = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (logits.Length != destination.Length * classes)
            throw new ArgumentException(
                $"logits hold {logits.Length} values but the batch of {destination.Length} rows × {classes} classes needs {destination.Length * classes}",
                nameof(logits));
        for (int row = 0; row < destination.Length; row++)
            destination[row] = Compute(logits.Slice(row * classes, classes), firstSample + row, exit);
    }
}
