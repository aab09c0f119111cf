using EarlyExit.Core.Signals;

namespace EarlyExit.Core.Policies;

/// <summary>
/// What an exit policy sees at one exit of one sample: where it is and that exit's signals.
/// </summary>
/// <param name="ExitIndex">0-based index m − 1 of the exit just computed.</param>
/// <param name="ExitCount">M, the number of exits of the model (≥ 1).</param>
/// <param name="Signals">The exit's prediction and every signal, from its logits.</param>
public readonly record struct ExitObservation(int ExitIndex, int ExitCount, SignalValues Signals)
{
    /// <summary>ŷ_m, the exit's predicted class.</summary>
    public int Prediction => Signals.Prediction;

    /// <summary>1-based layer count m = <see cref="ExitIndex"/> + 1 run so far.</summary>
    public int LayersExecuted => ExitIndex + 1;

    /// <summary>True at the last exit, where every policy exits.</summary>
    public bool IsLast => ExitIndex == ExitCount - 1;
}
