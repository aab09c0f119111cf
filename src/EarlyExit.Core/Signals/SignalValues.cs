namespace EarlyExit.Core.Signals;

/// <summary>
/// Every exit signal of one exit for one sample, computed together from its logits
/// (they share the log-sum-exp), plus the exit's prediction ŷ = argmax p.
/// </summary>
/// <param name="Prediction">ŷ_m, the 0-based class index with the largest logit (first on ties).</param>
/// <param name="MaxProb">C_m = max_c p_c.</param>
/// <param name="Entropy">H = −Σ p_c log p_c, in nats.</param>
/// <param name="NormalizedEntropy">H / log C; 0 when there is a single class.</param>
/// <param name="Energy">E = −logsumexp(z).</param>
/// <param name="NormalizedEnergy">σ(E) = 1 / (1 + Σ_c e^{z_c}) = 1 / (1 + e^{−E}).</param>
public readonly record struct SignalValues(
    int Prediction,
    float MaxProb,
    float Entropy,
    float NormalizedEntropy,
    float Energy,
    float NormalizedEnergy)
{
    /// <summary>The value of one signal.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An undefined <see cref="ExitSignal"/>.</exception>
    public float this[ExitSignal signal] => signal switch
    {
        ExitSignal.MaxProb => MaxProb,
        ExitSignal.Entropy => Entropy,
        ExitSignal.NormalizedEntropy => NormalizedEntropy,
        ExitSignal.Energy => Energy,
        ExitSignal.NormalizedEnergy => NormalizedEnergy,
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "unknown exit signal"),
    };
}
