namespace EarlyExit.Core.Calibration;

/// <summary>
/// The layer speed-up ratio (BEEM §4.1, COSEE eq. 12), kept internal to calibration.
/// </summary>
/// <remarks>
/// TODO(lead): the public measure lives in <c>Evaluation/</c> (written in parallel); once merged,
/// the classical threshold choice should call it and this helper should go.
/// </remarks>
internal static class LayerSpeedup
{
    /// <summary>Σ_m M·N_m / Σ_m m·N_m = M·N / Σ_n (layers run by sample n).</summary>
    /// <param name="exitCount">M.</param>
    /// <param name="sampleCount">N ≥ 1.</param>
    /// <param name="layersExecuted">Σ_n of the 1-based exit each sample left at.</param>
    public static double Ratio(int exitCount, long sampleCount, long layersExecuted) =>
        (double)exitCount * sampleCount / layersExecuted;
}
