using EarlyExit.Core.Catalog;
using EarlyExit.Core.Policies;
using EarlyExit.Server.Api;
using EarlyExit.Server.Telemetry;
using EarlyExit.Torch.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EarlyExit.Server.Feedback;

/// <summary>
/// Drift detection from user feedback (docs/algorithms.md §5, "no claim under distribution shift"):
/// keeps the recent answers, scores feedback against them, and raises an alarm (metric and log
/// line) when the 95 % upper confidence bound of the realised rate falls below what the default
/// policy promised. One per server; thread-safe.
/// </summary>
internal sealed class FeedbackMonitor
{
    private readonly ServerMetrics _metrics;
    private readonly ILogger _log;
    private readonly object _alarmGate = new();

    public FeedbackMonitor(EarlyExitClassifier model, IOptions<ServerOptions> options, ServerMetrics metrics, ILogger<FeedbackMonitor> log)
    {
        ArgumentNullException.ThrowIfNull(model);
        ServerOptions o = options.Value;
        _metrics = metrics;
        _log = log;
        ExitCount = model.Model.ExitCount;
        Answers = new RecentAnswers(o.FeedbackWindow);
        Window = new FeedbackWindow(o.FeedbackSample, ExitCount);
        MinimumCount = o.FeedbackMinimum;
        Promise = FeedbackPromise.Of(model.Calibration, o.AccuracyTarget);
        if (o.FeedbackRefit)
            Refit = new OnlineReliability(model.Calibration
                ?? throw new InvalidOperationException("FeedbackRefit re-fits the reliability diagrams of the model's calibration, and this model has none: run earlyexit calibrate first"));
        _model = model;
        if (Promise is { } p) _metrics.FeedbackTarget.Set(p.Target);
    }

    /// <summary>M.</summary>
    public int ExitCount { get; }

    /// <summary>The answers feedback can score.</summary>
    public RecentAnswers Answers { get; }

    /// <summary>The scored answers.</summary>
    public FeedbackWindow Window { get; }

    /// <summary>Scored answers of the default policy needed before the alarm may fire.</summary>
    public int MinimumCount { get; }

    /// <summary>What the default policy promised, or null (then no alarm).</summary>
    public FeedbackPromise? Promise { get; }

    /// <summary>Whether the alarm is on.</summary>
    public bool Alarm { get; private set; }

    /// <summary>The online re-fit of PCEE's diagrams, or null when <see cref="ServerOptions.FeedbackRefit"/> is off.</summary>
    public OnlineReliability? Refit { get; }

    private readonly EarlyExitClassifier _model;

    /// <summary>
    /// The policy a request names (null: the default), as the model resolves it, except that with
    /// the re-fit on a PCEE policy is built on the re-fitted diagrams.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown policy or a bad parameter.</exception>
    public ExitPolicy Resolve(PolicySpec? spec)
    {
        if (Refit is null) return _model.ResolvePolicy(spec);
        PolicySpec named = spec ?? _model.DefaultPolicy;
        return PceePolicy.IsPceeName(named.Name)
            ? PolicyCatalog.CreateDeployable(named, Refit.Calibration, ExitCount)
            : _model.ResolvePolicy(spec);
    }

    /// <summary>Keeps an answer for feedback and returns its id.</summary>
    public string Record(string text, ExitResult result, bool underDefaultPolicy) =>
        Answers.Add(text, result.Prediction, result.ExitIndex, underDefaultPolicy);

    /// <summary>Scores one answer given its true label and the full model's answer, updates metrics and the alarm.</summary>
    public FeedbackSummary Score(Answer answer, int label, int finalPrediction)
    {
        ArgumentNullException.ThrowIfNull(answer);
        FeedbackRates rates = Window.Add(new ScoredAnswer(answer.ExitIndex, answer.Prediction == label, answer.Prediction == finalPrediction, answer.UnderDefaultPolicy),
            Promise?.OnAgreement ?? false);
        _metrics.Feedback(rates);
        UpdateAlarm(rates);
        return Summary(rates);
    }

    /// <summary>The window as <c>/v1/model</c> shows it.</summary>
    public FeedbackSummary Summary() => Summary(Window.Rates(Promise?.OnAgreement ?? false));

    private FeedbackSummary Summary(FeedbackRates rates) => FeedbackSummary.Of(rates, this);

    private void UpdateAlarm(FeedbackRates rates)
    {
        if (Promise is not { } promise) return;
        bool on = rates.CheckedCount >= MinimumCount && rates.UpperBound < promise.Target;
        lock (_alarmGate)
        {
            if (on == Alarm) return;
            Alarm = on;
        }
        _metrics.FeedbackAlarm.Set(on ? 1 : 0);
        string rate = promise.OnAgreement ? "agreement with the full model" : "accuracy";
        if (on)
            _log.LogWarning("feedback alarm: realised {Rate} {Realised:0.000} over the last {Count} answers (95% upper bound {Bound:0.000}) is below the {Target:0.000} promised by {Source}",
                rate, rates.CheckedRate, rates.CheckedCount, rates.UpperBound, promise.Target, promise.Source);
        else
            _log.LogInformation("feedback alarm cleared: realised {Rate} {Realised:0.000} over the last {Count} answers (95% upper bound {Bound:0.000}) against the {Target:0.000} promised by {Source}",
                rate, rates.CheckedRate, rates.CheckedCount, rates.UpperBound, promise.Target, promise.Source);
    }
}
