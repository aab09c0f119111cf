namespace EarlyExit.Core.Evaluation;

/// <summary>The argument checks the measures share, so each message is written once.</summary>
internal static class MeasureArguments
{
    /// <summary>Throws unless two per-sample inputs have the same, non-zero length.</summary>
    public static void RequireSameNonEmpty(int length, int otherLength, string name, string otherName)
    {
        if (length == 0)
            throw new ArgumentException($"{name} must hold at least one sample; got 0", name);
        if (length != otherLength)
            throw new ArgumentException($"{name} holds {length} samples but {otherName} holds {otherLength}; they must match", otherName);
    }

    /// <summary>Throws unless every value of a per-sample class input lies in [0, classCount).</summary>
    public static void RequireClasses(ReadOnlySpan<int> classes, int classCount, string name)
    {
        for (int n = 0; n < classes.Length; n++)
        {
            if ((uint)classes[n] >= (uint)classCount)
                throw new ArgumentException($"{name}[{n}] is {classes[n]}; must be a class in [0, {classCount})", name);
        }
    }
}
