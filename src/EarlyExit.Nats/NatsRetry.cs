using NATS.Client.Core;
using NATS.Client.JetStream;

namespace EarlyExit.Nats;

/// <summary>
/// Retries a JetStream call while the server cannot answer (restarting, a leader election, a
/// dropped connection): the client reconnects by itself, and the call is made again after a short
/// pause, for at most <see cref="Patience"/>; what the server refuses outright is not retried.
/// </summary>
internal static class NatsRetry
{
    /// <summary>How long an unreachable server is waited for before the call fails.</summary>
    public static TimeSpan Patience { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Runs <paramref name="call"/> until it succeeds, the server refuses it, or <see cref="Patience"/> runs out.</summary>
    public static async Task<T> RunAsync<T>(Func<Task<T>> call, string what, TextWriter? log, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow + Patience;
        bool said = false;
        while (true)
        {
            try
            {
                T result = await call().ConfigureAwait(false);
                if (said) log?.WriteLine($"NATS answers again ({what})");
                return result;
            }
            catch (Exception e) when (IsTransient(e) && DateTime.UtcNow < deadline && !cancellationToken.IsCancellationRequested)
            {
                if (!said) log?.WriteLine($"NATS is not answering ({what}: {e.Message}); retrying for up to {Patience.TotalMinutes:F0} min");
                said = true;
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs <paramref name="call"/> as <see cref="RunAsync{T}"/> does.</summary>
    public static Task RunAsync(Func<Task> call, string what, TextWriter? log, CancellationToken cancellationToken) =>
        RunAsync(async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        }, what, log, cancellationToken);

    /// <summary>
    /// Throws unless the publish was stored. A duplicate counts as stored: the message id was stored
    /// before (a retry after a lost ack, a resumed submitter), which is what de-duplication is for.
    /// </summary>
    public static void EnsureStored(NATS.Client.JetStream.Models.PubAckResponse ack)
    {
        ArgumentNullException.ThrowIfNull(ack);
        if (ack.Duplicate) return;
        ack.EnsureSuccess();
    }

    /// <summary>A failure that a later try may not have: no connection, no responder, a timeout, a server-side 503.</summary>
    public static bool IsTransient(Exception e) => e switch
    {
        NatsJSApiException api => api.Error.Code is 503 or 408 or 500,
        NatsJSDuplicateMessageException => false,
        NatsJSApiNoResponseException or NatsJSPublishNoResponseException or NatsNoRespondersException or NatsNoReplyException => true,
        NatsJSException or NatsException => true,
        TimeoutException => true,
        OperationCanceledException => false,
        _ => false,
    };
}
