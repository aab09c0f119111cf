using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using FsCheck;
using FsCheck.Fluent;

namespace EarlyExit.Core.Tests.Policies;

/// <summary>FsCheck generators of synthetic multi-exit samples (random, not from any model).</summary>
internal static class ExitSampleGenerators
{
    /// <summary>
    /// M ∈ [1, 12] exits, C ∈ [1, 10] classes. The logits random-walk from exit to exit
    /// (z_m = z_{m−1} + step), so predictions often persist as in a real model and patience has
    /// something to count; integer steps in [−r, r] with r ∈ {1, 3, 100} give frequent ties at
    /// r = 1; the scale ∈ {0.01, 0.3, 1, 20, 1e4} runs from near-uniform to saturated softmax.
    /// </summary>
    public static Gen<ExitSample> Samples { get; } =
        from exitCount in Gen.Choose(1, 12)
        from classes in Gen.Choose(1, 10)
        from range in Gen.Elements(1, 3, 100)
        from scale in Gen.Elements(0.01f, 0.3f, 1f, 20f, 1e4f)
        from steps in Gen.ArrayOf(Gen.Choose(-range, range), exitCount * classes)
        from label in Gen.Choose(0, classes - 1)
        select Build(exitCount, classes, steps, scale / range, label);

    /// <summary>A threshold τ valid for the signal, drawn on a grid that covers the signal's observed range.</summary>
    public static Gen<double> Thresholds(ExitSignal signal) => signal switch
    {
        // C ∈ [1/C, 1], H / log C and σ(E) ∈ [0, 1]: the grid 0, 0.001, …, 1.
        ExitSignal.MaxProb or ExitSignal.NormalizedEntropy or ExitSignal.NormalizedEnergy =>
            Gen.Choose(0, 1000).Select(i => i / 1000.0),
        // H ∈ [0, ln 10 = 2.303] for C ≤ 10; the grid runs a little past it.
        ExitSignal.Entropy => Gen.Choose(0, 2500).Select(i => i / 1000.0),
        // E = −lse spans about ±1e5 with the scales above; mix a fine grid near 0 with a coarse wide one.
        ExitSignal.Energy => Gen.OneOf(
            Gen.Choose(-5000, 5000).Select(i => i / 1000.0),
            Gen.Choose(-200, 200).Select(i => i * 1000.0)),
        _ => throw new ArgumentOutOfRangeException(nameof(signal)),
    };

    /// <summary>Any policy of this branch, valid for a model with <paramref name="exitCount"/> exits.</summary>
    public static Gen<ExitPolicy> Policies(int exitCount) => Gen.OneOf(
        from signal in Gen.Elements(Enum.GetValues<ExitSignal>())
        from tau in Thresholds(signal)
        select (ExitPolicy)new ThresholdPolicy(signal, tau),
        from signal in Gen.Elements(Enum.GetValues<ExitSignal>())
        from taus in Gen.ArrayOf(Thresholds(signal), exitCount)
        select (ExitPolicy)new ThresholdPolicy(signal, [.. taus]),
        Gen.Choose(1, exitCount).Select(p => (ExitPolicy)new PatiencePolicy(p)),
        Gen.Choose(1, exitCount).Select(k => (ExitPolicy)new StaticExitPolicy(k)),
        Gen.Elements(OracleKind.AgreesWithFinal, OracleKind.FirstCorrect).Select(k => (ExitPolicy)new OraclePolicy(k)));

    private static ExitSample Build(int exitCount, int classes, int[] steps, float stepSize, int label)
    {
        var logits = new float[exitCount][];
        var exits = new SignalValues[exitCount];
        for (int m = 0; m < exitCount; m++)
        {
            logits[m] = new float[classes];
            for (int c = 0; c < classes; c++)
            {
                float previous = m == 0 ? 0f : logits[m - 1][c];
                logits[m][c] = previous + steps[m * classes + c] * stepSize;
            }
            exits[m] = ExitSignals.Compute(logits[m], exit: m);
        }
        return new ExitSample(logits, exits, label);
    }
}
