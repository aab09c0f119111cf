namespace EarlyExit.Core.RiskControl;

/// <summary>One parameter λ_j tested by <see cref="LearnThenTest"/>: its calibration risk and p-value.</summary>
/// <param name="Parameter">λ_j.</param>
/// <param name="Risk">R̂(λ_j), the mean loss on the calibration set.</param>
/// <param name="PValue">p(λ_j) for H: R(λ_j) &gt; ε.</param>
/// <param name="SpeedupRatio">The layer speed-up of π_λ on the calibration set, for reports.</param>
public sealed record RiskControlStep(double Parameter, double Risk, double PValue, double SpeedupRatio);
