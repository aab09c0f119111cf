namespace EarlyExit.Core.Evaluation;

/// <summary>
/// PCEE's control error for one target accuracy δ: the accuracy a policy tuned for δ realises
/// on a test set, and by how much it falls short (docs/algorithms.md §4).
/// </summary>
/// <remarks>
/// PCEE claims that exiting where the calibrated reliability diagram says the accuracy is at
/// least δ gives an accuracy of at least δ on new data. Shortfall = max(0, δ − realised): 0 when
/// the claim holds, else how much accuracy is missing. The realised accuracy must come from a
/// test trace that was not used to build the diagrams.
/// </remarks>
/// <param name="Target">δ, the target accuracy in [0, 1].</param>
/// <param name="Realised">The accuracy realised on the test set, in [0, 1].</param>
public readonly record struct ControlError(double Target, double Realised)
{
    /// <summary>max(0, δ − realised), in [0, 1].</summary>
    public double Shortfall => Math.Max(0.0, Target - Realised);

    /// <summary>The control error at each point of a curve swept over δ on a test trace.</summary>
    /// <param name="curve">A sweep whose grid values are the targets δ (e.g. of a PCEE policy).</param>
    /// <param name="onAgreement">Whether δ is a target agreement with the final exit (a PCEE calibrated on agreement,
    /// docs/algorithms.md §4.8): then the claim is checked against each point's agreement, not its accuracy.</param>
    /// <returns>One entry per point, in grid order: Target = the grid value, Realised = the point's accuracy (or agreement).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="curve"/> is null.</exception>
    /// <exception cref="ArgumentException">A grid value is not in [0, 1]; the message names it.</exception>
    public static ControlError[] ForCurve(TradeoffCurve curve, bool onAgreement = false)
    {
        ArgumentNullException.ThrowIfNull(curve);
        var errors = new ControlError[curve.Points.Length];
        for (int i = 0; i < errors.Length; i++)
        {
            double target = curve.Grid[i];
            if (!(target >= 0 && target <= 1))
                throw new ArgumentException($"grid value {i} is {target}; a target accuracy δ must be in [0, 1]", nameof(curve));
            errors[i] = new ControlError(target, onAgreement ? curve.Points[i].Agreement : curve.Points[i].Accuracy);
        }
        return errors;
    }
}
