using System.Collections.Immutable;

namespace EarlyExit.Data.Scoring;

/// <summary>One scored row, as <c>earlyexit score</c> writes it.</summary>
/// <param name="Id">The row's id (its id column, or its 1-based row number).</param>
/// <param name="Label">The predicted class name.</param>
/// <param name="Probability">Softmax probability of <paramref name="Label"/> at the exit taken.</param>
/// <param name="Exit">1-based layers run: the exit it left at.</param>
/// <param name="Compute">Its FLOPs over the full model's for this input.</param>
/// <param name="Probabilities">Every class's probability (with <c>--all-probabilities</c>), or empty.</param>
public sealed record ScoreResult(string Id, string Label, double Probability, int Exit, double Compute, ImmutableArray<float> Probabilities);
