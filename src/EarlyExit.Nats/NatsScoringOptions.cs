namespace EarlyExit.Nats;

/// <summary>
/// Where and how scoring runs on JetStream: the server, the names, and the stream and consumer
/// settings, each with a default a single server or a three-node cluster can use as it is
/// (docs/distributed.md).
/// </summary>
public sealed record NatsScoringOptions
{
    /// <summary>The server(s), e.g. <c>nats://127.0.0.1:4222</c> (comma-separated for a cluster).</summary>
    public required string Url { get; init; }

    /// <summary>The first token of every subject and the stream names' prefix; default <c>earlyexit</c>. Two
    /// deployments on one server keep apart by choosing different prefixes.</summary>
    public string Prefix { get; init; } = "earlyexit";

    /// <summary>Copies of each stream in a cluster, 1–5; default 1 (a single server). Use 3 on a three-node cluster.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>Where the streams keep messages: <c>file</c> (default: they survive a server restart) or <c>memory</c>.</summary>
    public string Storage { get; init; } = "file";

    /// <summary>How long a worker may hold a chunk without a sign of life before JetStream gives it to
    /// another; default 30 s. Workers send an in-progress ack every third of it while they classify,
    /// so a long chunk is not taken from a live worker; a killed worker's chunk is redelivered after it.</summary>
    public TimeSpan AckWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Deliveries of one chunk before it goes to the dead-letter subject; default 5.</summary>
    public int MaxDeliver { get; init; } = 5;

    /// <summary>The window in which JetStream drops a chunk published again under the same message id
    /// (a resumed submitter publishing what it had published); default 10 minutes.</summary>
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Chunks the submitter keeps published but not yet written, ≥ 1; default 16. Bounds its memory
    /// (and the work stream's size) while keeping every worker busy: make it at least twice the workers.</summary>
    public int MaxPending { get; init; } = 16;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting out of range, named.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Url, nameof(Url));
        if (Prefix.Length == 0 || Prefix.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new ArgumentException($"the prefix must be letters, digits, '-' or '_' (it names subjects and streams); got '{Prefix}'", nameof(Prefix));
        if (Replicas is < 1 or > 5) throw new ArgumentException($"replicas must be 1 to 5; got {Replicas}", nameof(Replicas));
        if (Storage is not ("file" or "memory")) throw new ArgumentException($"storage must be file or memory; got '{Storage}'", nameof(Storage));
        if (AckWait < TimeSpan.FromSeconds(1)) throw new ArgumentException($"the ack wait must be at least 1 s; got {AckWait.TotalSeconds} s", nameof(AckWait));
        if (MaxDeliver < 1) throw new ArgumentException($"max deliver must be at least 1; got {MaxDeliver}", nameof(MaxDeliver));
        if (DuplicateWindow < TimeSpan.FromSeconds(1)) throw new ArgumentException($"the duplicate window must be at least 1 s; got {DuplicateWindow.TotalSeconds} s", nameof(DuplicateWindow));
        if (MaxPending < 1) throw new ArgumentException($"max pending must be at least 1 chunk; got {MaxPending}", nameof(MaxPending));
    }
}
