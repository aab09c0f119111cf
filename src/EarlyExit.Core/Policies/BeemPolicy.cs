using System.Collections.Immutable;

namespace EarlyExit.Core.Policies;

/// <summary>
/// BEEM (BEEM paper §3.1, eq. 2): exits combine as weighted experts. The cumulative score S_m grows
/// while consecutive exits agree and resets when they disagree; a sample leaves at the first exit
/// m with S_m ≥ α_m.
/// </summary>
/// <remarks>
/// <para>The score recurrence (eq. 2), with C_m the max-prob confidence and ŷ_m the prediction:
/// S_1 = w_1·C_1; S_m = S_{m−1} + w_m·C_m if ŷ_m = ŷ_{m−1}, else S_m = w_m·C_m.
/// It is defined once, in <see cref="NextScore"/>, which threshold calibration also uses.</para>
/// <para>Weights come from <see cref="Calibration.BeemWeights"/> (BEEM-C: w_m = λ·m; BEEM-A:
/// w_m = validation accuracy of exit m). Thresholds are one α for every exit (the paper's
/// "classical" choice) or one per exit (eq. 3, <see cref="Calibration.BeemThresholds"/>);
/// +∞ means "never exit here". The last exit always exits, whatever α_M is.</para>
/// <para>The running score lives in <see cref="ExitState.Score"/>; the previous prediction in
/// <see cref="ExitState.PreviousPrediction"/>, which the base class updates after
/// <see cref="Decide"/>.</para>
/// </remarks>
public sealed record BeemPolicy : ExitPolicy
{
    /// <summary>Name of BEEM with cost weights w_m = λ·m (BEEM paper §3.3, item 1).</summary>
    public const string CostName = "beem-c";

    /// <summary>Name of BEEM with accuracy weights w_m = validation accuracy of exit m (BEEM paper §3.3, item 2).</summary>
    public const string AccuracyName = "beem-a";

    /// <summary>Creates a BEEM policy.</summary>
    /// <param name="name">The variant's name for reports, usually <see cref="CostName"/> or
    /// <see cref="AccuracyName"/>; must not be blank.</param>
    /// <param name="weights">w_1..w_M, one per exit; each finite and ≥ 0.</param>
    /// <param name="thresholds">α: one value for every exit, or one per exit (length M); each ≥ 0,
    /// +∞ allowed (never exit there).</param>
    /// <exception cref="ArgumentException">A blank name, empty arrays, or a weight or threshold out
    /// of range; the message names the entry and its value.</exception>
    public BeemPolicy(string name, IReadOnlyList<double> weights, IReadOnlyList<double> thresholds)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(thresholds);
        if (weights.Count == 0)
            throw new ArgumentException("BEEM needs one weight per exit; got 0 weights", nameof(weights));
        if (thresholds.Count == 0)
            throw new ArgumentException("BEEM needs one threshold, or one per exit; got 0 thresholds", nameof(thresholds));
        for (int m = 0; m < weights.Count; m++)
        {
            double w = weights[m];
            if (!double.IsFinite(w) || w < 0)
                throw new ArgumentOutOfRangeException(nameof(weights), w, $"weights[{m}] must be finite and ≥ 0; got {w}");
        }
        for (int m = 0; m < thresholds.Count; m++)
        {
            double a = thresholds[m];
            if (double.IsNaN(a) || a < 0)
                throw new ArgumentOutOfRangeException(nameof(thresholds), a, $"thresholds[{m}] must be ≥ 0 (+∞ allowed); got {a}");
        }
        Name = name;
        Weights = [.. weights];
        Thresholds = [.. thresholds];
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <summary>w_1..w_M, the weight of each exit's confidence (0-based: index m − 1).</summary>
    public ImmutableArray<double> Weights { get; }

    /// <summary>α: length 1 (shared by every exit) or M (α_1..α_M); +∞ = never exit there.</summary>
    public ImmutableArray<double> Thresholds { get; }

    /// <summary>The shared α when there is a single threshold; NaN for per-exit thresholds.</summary>
    public override double Parameter => Thresholds.Length == 1 ? Thresholds[0] : double.NaN;

    /// <summary>α_m for the 0-based exit <paramref name="exitIndex"/>.</summary>
    public double ThresholdAt(int exitIndex) => Thresholds.Length == 1 ? Thresholds[0] : Thresholds[exitIndex];

    /// <summary>
    /// BEEM's score recurrence (eq. 2): S_m = S_{m−1} + w_m·C_m if ŷ_m = ŷ_{m−1}, else w_m·C_m.
    /// </summary>
    /// <param name="previousScore">S_{m−1}; ignored at the first exit.</param>
    /// <param name="previousPrediction">ŷ_{m−1}, or -1 at the first exit (never equal to a class,
    /// so S_1 = w_1·C_1).</param>
    /// <param name="prediction">ŷ_m.</param>
    /// <param name="weight">w_m.</param>
    /// <param name="confidence">C_m, the max-prob of exit m.</param>
    /// <returns>S_m.</returns>
    public static double NextScore(double previousScore, int previousPrediction, int prediction, double weight, double confidence)
    {
        double term = weight * confidence;
        return prediction == previousPrediction ? previousScore + term : term;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The weights are not one per exit, or the thresholds
    /// neither one nor one per exit.</exception>
    public override void Validate(int exitCount)
    {
        base.Validate(exitCount);
        if (Weights.Length != exitCount)
            throw new ArgumentException(
                $"BEEM has {Weights.Length} weights; the model has {exitCount} exits and needs one per exit", nameof(exitCount));
        if (Thresholds.Length != 1 && Thresholds.Length != exitCount)
            throw new ArgumentException(
                $"BEEM has {Thresholds.Length} thresholds; the model has {exitCount} exits and needs 1 or {exitCount}", nameof(exitCount));
    }

    /// <inheritdoc/>
    protected override bool Decide(in ExitObservation observation, ref ExitState state)
    {
        int m = observation.ExitIndex;
        double score = NextScore(state.Score, state.PreviousPrediction, observation.Prediction,
            Weights[m], observation.Signals.MaxProb);
        state.Score = score;
        return score >= ThresholdAt(m); // +∞ is never reached: never exit there
    }
}
