namespace EarlyExit.Core.Policies;

/// <summary>
/// What only an evaluation knows about a sample: the final exit's prediction and the true label.
/// The oracle policies need it; deployable policies never read it.
/// </summary>
/// <param name="FinalPrediction">ŷ_M, the last exit's prediction.</param>
/// <param name="Label">The true class, or -1 when unknown.</param>
public readonly record struct SampleHindsight(int FinalPrediction, int Label);
