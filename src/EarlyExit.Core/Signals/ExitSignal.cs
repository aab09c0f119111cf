namespace EarlyExit.Core.Signals;

/// <summary>
/// The exit signals of docs/algorithms.md §1: how sure one exit classifier is of its prediction.
/// </summary>
/// <remarks>
/// Max-prob is a confidence (higher = surer); every other signal is an uncertainty
/// (lower = surer). <see cref="ExitSignals.IsConfidence"/> tells which.
/// </remarks>
public enum ExitSignal
{
    /// <summary>Softmax score C = max_c p_c, in [1/C, 1]; exits when C ≥ τ.</summary>
    MaxProb,

    /// <summary>Entropy H = −Σ p_c log p_c in nats (DeeBERT), in [0, log C]; exits when H ≤ τ.</summary>
    Entropy,

    /// <summary>Normalised entropy H / log C (FastBERT), in [0, 1]; exits when ≤ τ.</summary>
    NormalizedEntropy,

    /// <summary>Energy E = −logsumexp(z) (COSEE, E-LANG), unbounded; exits when E ≤ τ.</summary>
    Energy,

    /// <summary>Normalised energy σ(E) = 1 / (1 + Σ_c e^{z_c}) (COSEE eq. 11), in (0, 1); exits when &lt; τ.</summary>
    NormalizedEnergy,
}
