namespace EarlyExit.Core.Policies;

/// <summary>Which hindsight an <see cref="OraclePolicy"/> uses (docs/algorithms.md §2).</summary>
public enum OracleKind
{
    /// <summary>
    /// PCEE fig. 1's oracle: exit at the first exit whose prediction equals the final exit's,
    /// so accuracy equals the full model's at the least compute. Name "oracle".
    /// </summary>
    AgreesWithFinal,

    /// <summary>
    /// Exit at the first exit whose prediction is the true label, else at the last: the upper
    /// bound on accuracy of any exit rule. Name "correct-oracle".
    /// </summary>
    FirstCorrect,
}
