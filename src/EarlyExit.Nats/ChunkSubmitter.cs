using System.Threading.Channels;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace EarlyExit.Nats;

/// <summary>What became of one chunk: its answer, or the dead letter that says why there is none.</summary>
/// <param name="Index">The chunk's number.</param>
/// <param name="Answer">The worker's answer, or null.</param>
/// <param name="Dead">The dead letter, or null.</param>
public sealed record ChunkOutcome(long Index, ChunkAnswer? Answer, DeadChunk? Dead);

/// <summary>
/// The submitter's side of a distributed score job: publishes chunks (each under a message id, so
/// JetStream drops the second copy a resumed submitter publishes) and hands their outcomes back
/// <b>in chunk order</b>, whatever order the workers answer in, keeping at most
/// <see cref="NatsScoringOptions.MaxPending"/> chunks published and not yet handed back. Answers
/// come through an ordered consumer reading the job's subjects from the start, so after a crash the
/// answers that arrived meanwhile are all read again; a second answer to a chunk (a redelivery) is
/// counted and dropped.
/// </summary>
public sealed class ChunkSubmitter : IAsyncDisposable
{
    private static readonly NatsRawSerializer<byte[]> Raw = NatsRawSerializer<byte[]>.Default;
    private readonly NatsConnection _connection;
    private readonly NatsJSContext _js;
    private readonly NatsScoringTopology _topology;
    private readonly string _job, _pool;
    private readonly TextWriter _log;
    private readonly Channel<ChunkOutcome> _outcomes = Channel.CreateUnbounded<ChunkOutcome>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<long, ChunkOutcome> _early = [];
    private readonly HashSet<string> _workers = [];
    private Task? _reader;

    private ChunkSubmitter(NatsConnection connection, NatsScoringTopology topology, string job, string pool, TextWriter log)
    {
        _connection = connection;
        _js = new NatsJSContext(connection);
        _topology = topology;
        _job = job;
        _pool = pool;
        _log = log;
    }

    /// <summary>Answers dropped because their chunk was answered already.</summary>
    public long Duplicates { get; private set; }

    /// <summary>The workers that answered so far.</summary>
    public int WorkersSeen => _workers.Count;

    /// <summary>How long to wait for an outcome before saying that none comes; default one minute.</summary>
    public TimeSpan StallWarning { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Connects, creates the streams if needed and starts reading the job's answers.</summary>
    /// <param name="options">Server and settings.</param>
    /// <param name="job">The job's id (a subject token).</param>
    /// <param name="pool">The pool whose workers are to answer (<see cref="NatsScoringTopology.PoolKey"/>).</param>
    /// <param name="log">Where waits and reconnections are told.</param>
    /// <param name="cancellationToken">Cancels the connection attempt.</param>
    /// <exception cref="NatsException">The server cannot be reached.</exception>
    public static async Task<ChunkSubmitter> OpenAsync(NatsScoringOptions options, string job, string pool, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var connection = new NatsConnection(new NatsOpts { Url = options.Url, Name = $"earlyexit-score-{job}" });
        try
        {
            await connection.ConnectAsync().ConfigureAwait(false);
            var submitter = new ChunkSubmitter(connection, new NatsScoringTopology(options), job, pool, log);
            await NatsRetry.RunAsync(() => submitter._topology.EnsureStreamsAsync(submitter._js, cancellationToken), "creating the streams", log, cancellationToken).ConfigureAwait(false);
            submitter._reader = Task.Run(submitter.ReadAsync, CancellationToken.None);
            return submitter;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Publishes <paramref name="chunks"/> (numbered from <paramref name="first"/> on, in order) and
    /// yields every chunk's outcome in that order; the enumeration publishes ahead as far as
    /// <see cref="NatsScoringOptions.MaxPending"/> allows.
    /// </summary>
    /// <exception cref="ChunkTooLargeException">A chunk does not fit the server's max_payload.</exception>
    public IEnumerable<ChunkOutcome> Score(IEnumerable<ScoreChunk> chunks, long first, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        long next = first, published = first;
        foreach (ScoreChunk chunk in chunks)
        {
            if (chunk.Index != published) throw new ArgumentException($"chunk {chunk.Index} came where chunk {published} was expected", nameof(chunks));
            PublishAsync(chunk, cancellationToken).GetAwaiter().GetResult();
            published++;
            while (published - next >= _topology.Options.MaxPending) yield return Take(next++, published - next, cancellationToken);
        }
        while (next < published) yield return Take(next++, published - next, cancellationToken);
    }

    /// <summary>Removes the job's answers from the results stream (its dead letters stay); call once its output is complete.</summary>
    public Task PurgeAsync(CancellationToken cancellationToken) =>
        NatsRetry.RunAsync(() => _js.PurgeStreamAsync(_topology.ResultsStream, new StreamPurgeRequest { Filter = _topology.ResultsSubject(_job) }, cancellationToken).AsTask(),
            "purging the job's answers", _log, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_reader is not null)
        {
            try
            {
                await _reader.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        await _connection.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task PublishAsync(ScoreChunk chunk, CancellationToken cancellationToken)
    {
        byte[] data = ChunkCodec.Encode(chunk);
        long limit = _connection.ServerInfo?.MaxPayload ?? long.MaxValue;
        if (data.Length > limit) throw new ChunkTooLargeException(chunk, data.Length, limit);
        await NatsRetry.RunAsync(async () =>
        {
            PubAckResponse ack = await _js.PublishAsync(_topology.WorkSubject(_pool), data, Raw,
                new NatsJSPubOpts { MsgId = NatsScoringTopology.ChunkMessageId(chunk.Job, chunk.Index) }, cancellationToken: cancellationToken).ConfigureAwait(false);
            NatsRetry.EnsureStored(ack);
        }, $"publishing chunk {chunk.Index}", _log, cancellationToken).ConfigureAwait(false);
    }

    // The outcome of chunk `index`, reading (and keeping) the others that come first.
    private ChunkOutcome Take(long index, long waiting, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_early.Remove(index, out ChunkOutcome? known)) return known;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StallWarning);
            ChunkOutcome outcome;
            try
            {
                outcome = _outcomes.Reader.ReadAsync(timeout.Token).AsTask().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                _log.WriteLine($"no answer for {StallWarning.TotalSeconds:F0} s with chunk {index} and {waiting} after it outstanding: "
                    + $"is a worker of pool {_pool} running (earlyexit worker with the same --model, --backend and --precision)?");
                continue;
            }
            if (outcome.Answer is { } a) _workers.Add(a.Worker);
            if (outcome.Index < index || _early.ContainsKey(outcome.Index)) Duplicates++;
            else if (outcome.Index == index) return outcome;
            else _early[outcome.Index] = outcome;
        }
    }

    private async Task ReadAsync()
    {
        CancellationToken stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                INatsJSConsumer consumer = await _js.CreateOrderedConsumerAsync(_topology.ResultsStream,
                    new NatsJSOrderedConsumerOpts { FilterSubjects = [_topology.JobFilter(_job)], DeliverPolicy = ConsumerConfigDeliverPolicy.All, MaxResetAttempts = int.MaxValue },
                    stop).ConfigureAwait(false);
                await foreach (INatsJSMsg<byte[]> message in consumer.ConsumeAsync(Raw, cancellationToken: stop).ConfigureAwait(false))
                {
                    ChunkOutcome? outcome = Read(message);
                    if (outcome is not null) await _outcomes.Writer.WriteAsync(outcome, stop).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                // A restarted server: read the job's answers again from the start; the ones seen already count as duplicates.
                _log.WriteLine($"reading answers again after: {e.Message}");
                await Task.Delay(TimeSpan.FromMilliseconds(500), stop).ConfigureAwait(false);
            }
        }
    }

    private ChunkOutcome? Read(INatsJSMsg<byte[]> message)
    {
        try
        {
            if (message.Subject == _topology.DeadSubject(_job))
            {
                DeadChunk dead = ChunkCodec.Decode<DeadChunk>(message.Data ?? []);
                return new ChunkOutcome(dead.Index, null, dead);
            }
            ChunkAnswer answer = ChunkCodec.Decode<ChunkAnswer>(message.Data ?? []);
            return answer.Job == _job ? new ChunkOutcome(answer.Index, answer, null) : null;
        }
        catch (ChunkFormatException e)
        {
            _log.WriteLine($"an unreadable message on {message.Subject} was skipped: {e.Message}");
            return null;
        }
    }
}

/// <summary>A chunk bigger than the server lets a message be.</summary>
public sealed class ChunkTooLargeException : Exception
{
    /// <summary>Creates the exception for a chunk of <paramref name="bytes"/> over <paramref name="limit"/>.</summary>
    public ChunkTooLargeException(ScoreChunk chunk, long bytes, long limit)
        : base($"chunk {chunk?.Index} ({chunk?.Rows.Count} rows) is {bytes:N0} bytes compressed, over the server's max_payload of {limit:N0}: "
            + "use a smaller --window, or raise max_payload in the server's configuration (up to 64 MB)")
    {
    }

    /// <summary>Creates the exception.</summary>
    public ChunkTooLargeException() : base("a chunk is over the server's max_payload")
    {
    }

    /// <summary>Creates the exception.</summary>
    public ChunkTooLargeException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ChunkTooLargeException(string message, Exception inner) : base(message, inner)
    {
    }
}
