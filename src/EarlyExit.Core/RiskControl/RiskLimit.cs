using System.Globalization;

namespace EarlyExit.Core.RiskControl;

/// <summary>
/// A risk limit: the risk <see cref="Measure"/> must be at most <see cref="Epsilon"/>, with
/// probability at least 1 − <see cref="Delta"/> over the draw of the calibration set
/// (Learn-then-Test, docs/algorithms.md §5).
/// </summary>
/// <param name="Measure">The loss whose mean is bounded.</param>
/// <param name="Epsilon">ε, the bound on the risk: in (0, 1) (the accuracy gap in (0, 1) too).</param>
/// <param name="Delta">δ, the chance the calibration set misleads: in (0, 1); confidence 1 − δ.</param>
public sealed record RiskLimit(RiskMeasure Measure, double Epsilon, double Delta)
{
    /// <summary>The default confidence 1 − δ, 0.9: δ = 0.1 as in Jazbec et al.'s experiments.</summary>
    public const double DefaultConfidence = 0.9;

    /// <summary>The names <see cref="Parse"/> accepts, in <see cref="RiskMeasure"/> order.</summary>
    public static IReadOnlyList<string> MeasureNames { get; } = ["disagreement", "error", "gap"];

    /// <summary>ε, checked: a limit outside (0, 1) promises nothing or everything.</summary>
    public double Epsilon { get; init; } = Epsilon > 0 && Epsilon < 1 ? Epsilon
        : throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, $"the risk limit ε must be between 0 and 1 (exclusive); got {Epsilon.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>δ, checked.</summary>
    public double Delta { get; init; } = Delta > 0 && Delta < 1 ? Delta
        : throw new ArgumentOutOfRangeException(nameof(Delta), Delta, $"δ = 1 − confidence must be between 0 and 1 (exclusive); got {Delta.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>1 − δ.</summary>
    public double Confidence => 1 - Delta;

    /// <summary>
    /// Parses "measure:ε" as users type it (<c>--risk disagreement:0.02</c>) with a confidence 1 − δ.
    /// </summary>
    /// <param name="text">"disagreement:0.02", "error:0.1" or "gap:0.01".</param>
    /// <param name="confidence">1 − δ, in (0, 1).</param>
    /// <exception cref="FormatException">The text is not "measure:ε" with a known measure and a number; the message says which part.</exception>
    /// <exception cref="ArgumentOutOfRangeException">ε or the confidence is outside (0, 1).</exception>
    public static RiskLimit Parse(string text, double confidence = DefaultConfidence)
    {
        ArgumentNullException.ThrowIfNull(text);
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
            throw new FormatException($"a risk limit is MEASURE:EPSILON, e.g. disagreement:0.02 (measures: {string.Join(", ", MeasureNames)}); got '{text}'");
        string name = text[..colon].Trim();
        int measure = -1;
        for (int i = 0; i < MeasureNames.Count; i++)
        {
            if (string.Equals(MeasureNames[i], name, StringComparison.OrdinalIgnoreCase)) measure = i;
        }
        if (measure < 0)
            throw new FormatException($"unknown risk '{name}' in '{text}'; valid risks: {string.Join(", ", MeasureNames)}");
        if (!double.TryParse(text[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double epsilon))
            throw new FormatException($"the limit in '{text}' is not a number; expected e.g. {name}:0.02");
        return new RiskLimit((RiskMeasure)measure, epsilon, 1 - confidence);
    }

    /// <summary>"disagreement:0.02", as <see cref="Parse"/> reads it (the confidence apart).</summary>
    public override string ToString() =>
        $"{MeasureNames[(int)Measure]}:{Epsilon.ToString("R", CultureInfo.InvariantCulture)}";

    /// <summary>The guarantee in words, for <c>/v1/model</c> and reports.</summary>
    public string Describe()
    {
        string what = Measure switch
        {
            RiskMeasure.Disagreement => "the early answer differs from the full model's",
            RiskMeasure.Error => "the answer is wrong",
            _ => "accuracy is lost to exiting early (the gap to the full model's accuracy)",
        };
        return string.Create(CultureInfo.InvariantCulture,
            $"on inputs like the calibration set, {what} at most {Epsilon:0.###%} of the time, with {Confidence:0.###%} confidence over the draw of the calibration set");
    }
}
