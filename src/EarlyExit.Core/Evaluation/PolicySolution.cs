using EarlyExit.Core.Policies;

namespace EarlyExit.Core.Evaluation;

/// <summary>The parameter <see cref="PolicySolver"/> chose for a policy family, and what it does on the calibration trace.</summary>
/// <param name="FamilyName">The family's <see cref="PolicyFamily.Name"/>.</param>
/// <param name="Target">What was asked for.</param>
/// <param name="TargetValue">The speed-up ratio (≥ 1) or accuracy (in [0, 1]) asked for.</param>
/// <param name="TargetMet">True when some grid value reached the target. When false, the parameter
/// is the one that came closest: the highest speed-up (for a speed-up target) or the highest
/// accuracy (for an accuracy target).</param>
/// <param name="Parameter">The chosen grid value.</param>
/// <param name="Policy">The policy built from <paramref name="Parameter"/>.</param>
/// <param name="Evaluation">The policy's evaluation on the calibration trace, with per-sample detail.</param>
/// <param name="Curve">The whole sweep the choice was made from.</param>
public sealed record PolicySolution(
    string FamilyName,
    SolverTarget Target,
    double TargetValue,
    bool TargetMet,
    double Parameter,
    ExitPolicy Policy,
    PolicyEvaluation Evaluation,
    TradeoffCurve Curve);
