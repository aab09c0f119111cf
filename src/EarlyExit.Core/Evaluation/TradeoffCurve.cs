using System.Collections.Immutable;

namespace EarlyExit.Core.Evaluation;

/// <summary>
/// A policy family swept over a parameter grid on one trace: the accuracy / speed-up trade-off,
/// one <see cref="PolicyEvaluation"/> per grid value. Built by <see cref="TraceEvaluator.Sweep"/>.
/// </summary>
/// <param name="PolicyName">The name of the policy at the first grid value.</param>
/// <param name="Grid">The parameter values, in the order given.</param>
/// <param name="Points">Points[i] is the evaluation of the policy built from Grid[i].</param>
public sealed record TradeoffCurve(string PolicyName, ImmutableArray<double> Grid, ImmutableArray<PolicyEvaluation> Points);
