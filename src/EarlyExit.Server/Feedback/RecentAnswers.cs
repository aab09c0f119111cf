using System.Globalization;

namespace EarlyExit.Server.Feedback;

/// <summary>One answer the server gave, kept for feedback while it is among the most recent.</summary>
/// <param name="Id">The id the classify response returned.</param>
/// <param name="Text">The input, kept only while the answer is in the window (to learn the full model's answer when feedback comes).</param>
/// <param name="Prediction">The class answered.</param>
/// <param name="ExitIndex">The exit it left at, 0-based.</param>
/// <param name="UnderDefaultPolicy">Whether the request ran the served default policy (whose promise the alarm checks).</param>
internal sealed record Answer(string Id, string Text, int Prediction, int ExitIndex, bool UnderDefaultPolicy);

/// <summary>
/// The last <see cref="Capacity"/> answers by id, oldest evicted first: what <c>POST /v1/feedback</c>
/// can score. Bounded so that memory does not grow with traffic, and so that no input is kept
/// longer than the window. Thread-safe.
/// </summary>
internal sealed class RecentAnswers(int capacity)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Answer> _byId = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private long _next;

    /// <summary>Most answers kept.</summary>
    public int Capacity { get; } = capacity >= 1 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "the feedback window must hold at least one answer");

    /// <summary>Keeps an answer and returns its new id ("a" + a sequence number in hex: unique for the server's life).</summary>
    public string Add(string text, int prediction, int exitIndex, bool underDefaultPolicy)
    {
        lock (_gate)
        {
            string id = "a" + (_next++).ToString("x", CultureInfo.InvariantCulture);
            _byId[id] = new Answer(id, text, prediction, exitIndex, underDefaultPolicy);
            _order.Enqueue(id);
            while (_order.Count > Capacity) _byId.Remove(_order.Dequeue());
            return id;
        }
    }

    /// <summary>Takes the answer out of the window, so feedback scores it once; false when unknown or evicted.</summary>
    public bool TryTake(string id, out Answer answer)
    {
        lock (_gate)
        {
            // Its id stays in the queue and is evicted in turn (Remove of a missing key is a no-op).
            return _byId.Remove(id, out answer!);
        }
    }

    /// <summary>Whether the id was ever handed out (so a missing one is "already scored or evicted", not "never").</summary>
    public bool WasIssued(string id) =>
        id.Length > 1 && id[0] == 'a' && long.TryParse(id.AsSpan(1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long n)
        && n >= 0 && n < Interlocked.Read(ref _next);
}
