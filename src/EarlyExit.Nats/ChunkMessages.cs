using EarlyExit.Data.Scoring;

namespace EarlyExit.Nats;

/// <summary>
/// How every chunk of one job is classified: what the submitter was asked for, so that any worker
/// answers a chunk exactly as single-machine <c>earlyexit score</c> answers the same window.
/// </summary>
/// <param name="Policy">The exit policy's name.</param>
/// <param name="Parameter">Its parameter; null for the policy's default.</param>
/// <param name="MaxBatchTokens">The token budget of a batch inside the chunk.</param>
/// <param name="BatchSize">The most rows in a batch.</param>
/// <param name="AllProbabilities">Whether every class's probability comes back.</param>
public sealed record ChunkSettings(string Policy, double? Parameter, int MaxBatchTokens, int BatchSize, bool AllProbabilities);

/// <summary>One row of a chunk: its id (carried through) and its text.</summary>
/// <param name="Id">The row's id, as score writes it.</param>
/// <param name="Text">The text to classify.</param>
public sealed record ChunkRow(string Id, string Text);

/// <summary>
/// A unit of work on the work stream: one of score's windows (its valid rows; bad rows stay with the
/// submitter, which reports them as a local run does).
/// </summary>
/// <param name="Job">The job (one score run, its id kept in the run's state file).</param>
/// <param name="Index">0-based chunk number within the job: the window's position in the input.</param>
/// <param name="FirstRow">0-based index of the window's first data row in the input.</param>
/// <param name="Settings">How to classify it.</param>
/// <param name="Rows">The rows, in input order.</param>
public sealed record ScoreChunk(string Job, long Index, long FirstRow, ChunkSettings Settings, IReadOnlyList<ChunkRow> Rows);

/// <summary>A worker's answer to one chunk, on the results stream.</summary>
/// <param name="Job">The chunk's job.</param>
/// <param name="Index">The chunk's number.</param>
/// <param name="Worker">Which worker answered (host and process), for progress and diagnosis.</param>
/// <param name="Results">One result per row of the chunk, in its order.</param>
public sealed record ChunkAnswer(string Job, long Index, string Worker, IReadOnlyList<ScoreResult> Results);

/// <summary>
/// A chunk no worker could answer after the consumer's <c>MaxDeliver</c> tries, as it lands on the
/// dead-letter subject: the chunk itself and why.
/// </summary>
/// <param name="Job">The chunk's job.</param>
/// <param name="Index">The chunk's number.</param>
/// <param name="Worker">The worker that gave up on it.</param>
/// <param name="Deliveries">How many times it was delivered.</param>
/// <param name="Reason">The last failure, one line.</param>
/// <param name="Chunk">The chunk as it was published; null when it could not be read.</param>
public sealed record DeadChunk(string Job, long Index, string Worker, long Deliveries, string Reason, ScoreChunk? Chunk);
