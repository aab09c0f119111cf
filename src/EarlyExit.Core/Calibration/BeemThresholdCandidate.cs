namespace EarlyExit.Core.Calibration;

/// <summary>
/// How one shared threshold α did on the validation set, in BEEM's "classical" choice
/// (<see cref="BeemThresholds.Classical"/>).
/// </summary>
/// <param name="Threshold">α, used at every exit.</param>
/// <param name="CorrectCount">Validation samples whose exited prediction is right.</param>
/// <param name="Accuracy">CorrectCount / N.</param>
/// <param name="SpeedupRatio">Σ_m M·N_m / Σ_m m·N_m (BEEM §4.1), ≥ 1.</param>
public readonly record struct BeemThresholdCandidate(double Threshold, int CorrectCount, double Accuracy, double SpeedupRatio);
