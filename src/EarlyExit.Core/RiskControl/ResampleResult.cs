namespace EarlyExit.Core.RiskControl;

/// <summary>
/// One method at one target over the draws of <see cref="ResampleCheck"/>: how often its test risk
/// exceeded the target, and what it saved.
/// </summary>
/// <param name="Method">"risk-controlled max-prob", "pcee", "pcee-ws", "pcee-cp" or "max-prob τ=target".</param>
/// <param name="Epsilon">ε, the risk target.</param>
/// <param name="Draws">R, the calibration/test splits drawn.</param>
/// <param name="ViolationRate">Fraction of draws whose test risk exceeded ε.</param>
/// <param name="MeanTestRisk">The test risk, averaged over the draws.</param>
/// <param name="MeanSpeedup">The layer speed-up on the test half, averaged over the draws.</param>
/// <param name="FellBackRate">Risk control only: fraction of draws where no setting passed and the full model ran; 0 for the others.</param>
/// <param name="PopulationViolationRate">Fraction of draws whose chosen setting has risk &gt; ε on the whole pool, the
/// population both halves are drawn from: the event Learn-then-Test bounds by δ, free of the test half's own noise.</param>
public sealed record ResampleResult(string Method, double Epsilon, int Draws, double ViolationRate, double MeanTestRisk,
    double MeanSpeedup, double FellBackRate, double PopulationViolationRate);
