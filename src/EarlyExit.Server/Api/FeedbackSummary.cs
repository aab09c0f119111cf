using System.ComponentModel;
using EarlyExit.Server.Feedback;

namespace EarlyExit.Server.Api;

/// <summary>Realised accuracy and agreement at one exit over the feedback window.</summary>
/// <param name="Exit">1-based exit.</param>
/// <param name="Count">Scored answers that left there.</param>
/// <param name="Accuracy">Their accuracy; null when none.</param>
/// <param name="Agreement">Their agreement with the full model; null when none.</param>
public sealed record FeedbackExit(int Exit, int Count, double? Accuracy, double? Agreement);

/// <summary>
/// The feedback window as <c>/v1/model</c> and <c>POST /v1/feedback</c> show it: realised rates,
/// what was promised, the bound the alarm compares with it, and the alarm.
/// </summary>
public sealed record FeedbackSummary(
    [property: Description("Scored answers in the window.")] int Count,
    [property: Description("Most scored answers the window holds (FeedbackSample).")] int Capacity,
    [property: Description("Most recent answers that can still receive feedback (FeedbackWindow).")] int AnswersKept,
    [property: Description("Realised accuracy over the window; null when empty.")] double? Accuracy,
    [property: Description("Realised agreement with the full model over the window; null when empty.")] double? Agreement,
    [property: Description("Per exit.")] IReadOnlyList<FeedbackExit> Exits,
    [property: Description("What the promise is about: accuracy or agreement; null when nothing was promised.")] string? Promised,
    [property: Description("The promised rate; null when nothing was promised (no alarm then).")] double? Target,
    [property: Description("Where the promise comes from.")] string? Source,
    [property: Description("Answers of the default policy in the window, the ones checked.")] int CheckedCount,
    [property: Description("Their realised rate (accuracy or agreement, as promised); null when none.")] double? Realised,
    [property: Description("95% one-sided Clopper–Pearson upper bound of the realised rate; null when none.")] double? UpperBound,
    [property: Description("Scored answers of the default policy needed before the alarm may fire.")] int MinimumCount,
    [property: Description("True when the upper bound is below the target.")] bool Alarm,
    [property: Description("Feedbacks added to PCEE's reliability diagrams by the online re-fit (serve --feedback-refit); null when it is off.")] int? RefitSamples)
{
    internal static FeedbackSummary Of(FeedbackRates r, FeedbackMonitor monitor) => new(
        r.Count, monitor.Window.Capacity, monitor.Answers.Capacity, N(r.Accuracy), N(r.Agreement),
        [.. Enumerable.Range(0, r.ExitCounts.Length).Select(m => new FeedbackExit(m + 1, r.ExitCounts[m], N(r.ExitAccuracies[m]), N(r.ExitAgreements[m])))],
        monitor.Promise is { } p ? (p.OnAgreement ? "agreement" : "accuracy") : null, monitor.Promise?.Target, monitor.Promise?.Source,
        r.CheckedCount, N(r.CheckedRate), N(r.UpperBound), monitor.MinimumCount, monitor.Alarm, monitor.Refit?.SampleCount);

    // JSON has no NaN: an empty rate is null.
    private static double? N(double value) => double.IsNaN(value) ? null : value;
}
