using System.Globalization;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;

namespace EarlyExit.Core.Tests.Policies;

/// <summary>One synthetic sample: its logits at every exit, their signals and a label.</summary>
internal sealed record ExitSample(float[][] Logits, SignalValues[] Exits, int Label)
{
    public int ExitCount => Exits.Length;

    public SampleHindsight Hindsight => new(Exits[^1].Prediction, Label);

    public override string ToString() =>
        $"label {Label}, logits per exit: " + string.Join(" | ",
            Logits.Select(z => string.Join(" ", z.Select(v => v.ToString("G6", CultureInfo.InvariantCulture)))));
}
