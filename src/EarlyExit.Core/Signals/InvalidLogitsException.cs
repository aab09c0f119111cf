namespace EarlyExit.Core.Signals;

/// <summary>
/// Thrown when an exit's logits hold NaN or ±∞: no exit decision can be made on them.
/// </summary>
/// <remarks>The message names the sample, exit and class so the fault can be traced to its source.</remarks>
public sealed class InvalidLogitsException : ArithmeticException
{
    /// <summary>Creates the exception for one bad logit; -1 means "not known".</summary>
    public InvalidLogitsException(int sample, int exit, int classIndex, float value)
        : base($"logit is {value} (must be finite) at sample {Describe(sample)}, exit {Describe(exit)}, class {classIndex}")
    {
        Sample = sample;
        Exit = exit;
        ClassIndex = classIndex;
        Value = value;
    }

    /// <summary>0-based sample index, or -1 when not known.</summary>
    public int Sample { get; }

    /// <summary>0-based exit index, or -1 when not known.</summary>
    public int Exit { get; }

    /// <summary>0-based class index of the bad value.</summary>
    public int ClassIndex { get; }

    /// <summary>The offending value (NaN or ±∞).</summary>
    public float Value { get; }

    private static string Describe(int index) => index < 0 ? "?" : index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
