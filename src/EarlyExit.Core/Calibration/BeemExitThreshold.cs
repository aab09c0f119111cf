namespace EarlyExit.Core.Calibration;

/// <summary>
/// The threshold BEEM eq. 3 chose for one exit, with the validation statistics behind it.
/// </summary>
/// <param name="Threshold">α_m; +∞ when no α of the search set qualified (never exit here).
/// For the last exit it is 0: every sample that reaches it stops there.</param>
/// <param name="ErrorRate">q(α_m): the fraction wrong among the validation samples that reach
/// exit m and have S_m ≥ α_m; NaN when none stop (α_m = +∞).</param>
/// <param name="StoppingCount">c_stop: validation samples that reach exit m and stop there.</param>
/// <param name="ReachingCount">Validation samples that reach exit m (did not leave earlier
/// under α_1..α_{m−1}).</param>
public readonly record struct BeemExitThreshold(double Threshold, double ErrorRate, int StoppingCount, int ReachingCount);
