using System.Collections.Immutable;
using EarlyExit.Core.Calibration;

namespace EarlyExit.Server.Feedback;

/// <summary>One scored answer: where it exited, whether it was right and agreed with the full model.</summary>
internal readonly record struct ScoredAnswer(int ExitIndex, bool Correct, bool AgreesWithFinal, bool UnderDefaultPolicy);

/// <summary>The realised rates over the feedback window, overall and per exit.</summary>
/// <param name="Count">Scored answers in the window.</param>
/// <param name="Accuracy">Share right; NaN when empty.</param>
/// <param name="Agreement">Share equal to the full model's answer; NaN when empty.</param>
/// <param name="ExitCounts">Scored answers per exit.</param>
/// <param name="ExitAccuracies">Share right per exit; NaN where none.</param>
/// <param name="ExitAgreements">Share agreeing per exit; NaN where none.</param>
/// <param name="CheckedCount">Answers of the default policy, the ones the promise is about.</param>
/// <param name="CheckedRate">Their accuracy or agreement (whichever was promised); NaN when none.</param>
/// <param name="UpperBound">The 95 % one-sided Clopper–Pearson upper bound of <see cref="CheckedRate"/>; NaN when none.</param>
internal sealed record FeedbackRates(int Count, double Accuracy, double Agreement, ImmutableArray<int> ExitCounts,
    ImmutableArray<double> ExitAccuracies, ImmutableArray<double> ExitAgreements, int CheckedCount, double CheckedRate, double UpperBound);

/// <summary>
/// The last <see cref="Capacity"/> scored answers, oldest dropped first, and their rates. The alarm
/// compares the upper confidence bound of the promised rate with the promise: it fires only when
/// even the most favourable rate the window allows (at 95 %) is below the target, so sampling noise
/// in a small window does not raise it. Thread-safe.
/// </summary>
internal sealed class FeedbackWindow(int capacity, int exitCount)
{
    /// <summary>γ of the alarm's bound: the realised rate is above the bound with probability ≥ 95 %.</summary>
    public const double BoundLevel = 0.05;

    private readonly object _gate = new();
    private readonly Queue<ScoredAnswer> _window = new();

    /// <summary>Most scored answers kept.</summary>
    public int Capacity { get; } = capacity >= 1 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "the feedback sample must hold at least one answer");

    /// <summary>Adds a scored answer and returns the window's rates after it.</summary>
    public FeedbackRates Add(ScoredAnswer answer, bool onAgreement)
    {
        lock (_gate)
        {
            _window.Enqueue(answer);
            while (_window.Count > Capacity) _window.Dequeue();
            return RatesLocked(onAgreement);
        }
    }

    /// <summary>The window's rates now.</summary>
    public FeedbackRates Rates(bool onAgreement)
    {
        lock (_gate) return RatesLocked(onAgreement);
    }

    private FeedbackRates RatesLocked(bool onAgreement)
    {
        var counts = new int[exitCount];
        var right = new int[exitCount];
        var agree = new int[exitCount];
        int checkedCount = 0, checkedHits = 0;
        foreach (ScoredAnswer a in _window)
        {
            counts[a.ExitIndex]++;
            if (a.Correct) right[a.ExitIndex]++;
            if (a.AgreesWithFinal) agree[a.ExitIndex]++;
            if (!a.UnderDefaultPolicy) continue;
            checkedCount++;
            if (onAgreement ? a.AgreesWithFinal : a.Correct) checkedHits++;
        }
        int n = _window.Count;
        static double Rate(int hits, int total) => total == 0 ? double.NaN : (double)hits / total;
        return new FeedbackRates(n, Rate(right.Sum(), n), Rate(agree.Sum(), n), [.. counts],
            [.. Enumerable.Range(0, exitCount).Select(m => Rate(right[m], counts[m]))],
            [.. Enumerable.Range(0, exitCount).Select(m => Rate(agree[m], counts[m]))],
            checkedCount, Rate(checkedHits, checkedCount),
            checkedCount == 0 ? double.NaN : ClopperPearson.Upper(checkedHits, checkedCount, BoundLevel));
    }
}
