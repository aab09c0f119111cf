using System.Globalization;
using EarlyExit.Core.Calibration;
using EarlyExit.Core.Policies;
using EarlyExit.Core.RiskControl;

namespace EarlyExit.Server.Feedback;

/// <summary>
/// What the served default policy promised, as a rate realised feedback can be checked against:
/// an accuracy (PCEE δ on correctness; risk control on error, 1 − ε) or an agreement with the full
/// model (PCEE δ on agreement; risk control on disagreement, 1 − ε), or none.
/// </summary>
/// <param name="OnAgreement">True: the promise is about agreement with the final exit; false: accuracy.</param>
/// <param name="Target">The promised rate in (0, 1].</param>
/// <param name="Source">Where it comes from, for /v1/model and the log line.</param>
internal sealed record FeedbackPromise(bool OnAgreement, double Target, string Source)
{
    /// <summary>The promise of <paramref name="calibration"/>'s default policy, or the operator's <paramref name="accuracyTarget"/> (which wins); null when nothing was promised.</summary>
    public static FeedbackPromise? Of(ExitCalibration? calibration, double? accuracyTarget)
    {
        if (accuracyTarget is { } target)
            return new FeedbackPromise(false, target, string.Create(CultureInfo.InvariantCulture, $"--accuracy-target {target}"));
        if (calibration is null) return null;
        if (calibration.RiskControl is { FellBack: false } risk)
        {
            return risk.Limit.Measure switch
            {
                RiskMeasure.Disagreement => new FeedbackPromise(true, 1 - risk.Limit.Epsilon, $"calibrate --risk {risk.Limit}"),
                RiskMeasure.Error => new FeedbackPromise(false, 1 - risk.Limit.Epsilon, $"calibrate --risk {risk.Limit}"),
                // The gap is relative to the full model's accuracy, which feedback estimates too: promise
                // the validation accuracy less ε.
                _ => new FeedbackPromise(false, calibration.FinalExitAccuracy - risk.Limit.Epsilon, $"calibrate --risk {risk.Limit} (validation accuracy {calibration.FinalExitAccuracy:0.###} − ε)"),
            };
        }
        if (PceePolicy.IsPceeName(calibration.DefaultPolicy.Name) && calibration.DefaultPolicy.Parameter is { } delta)
            return new FeedbackPromise(calibration.Target == PceeTarget.Agreement, delta, $"default policy {calibration.DefaultPolicy}");
        return null;
    }
}
