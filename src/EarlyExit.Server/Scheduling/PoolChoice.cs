namespace EarlyExit.Server.Scheduling;

/// <summary>What the pool choice sees of one layer's pool.</summary>
/// <param name="Rows">Rows waiting for the layer.</param>
/// <param name="OldestStep">The step its oldest segment entered at; read only when <paramref name="Rows"/> &gt; 0.</param>
/// <param name="Tokens">Their padded tokens: Σ rows × width over the pool's segments.</param>
internal readonly record struct PoolLoad(int Rows, long OldestStep, int Tokens = 0);

/// <summary>
/// Which pool the depth-pooled scheduler runs next, by the four rules in its remarks, first rule
/// that applies: a starving pool, the deepest full batch (in rows or in tokens), wait for company, the fullest pool.
/// Pure: the caller gives what it sees (pools, step, the first pool's wait, the queue), so each
/// rule and their order can be tested by hand.
/// </summary>
/// <param name="batchSize">A full batch, in rows.</param>
/// <param name="starvationSteps">Steps after which a waiting segment runs regardless of fuller pools.</param>
/// <param name="maxQueueDelay">How long the first layer's inputs may wait for company.</param>
/// <param name="maxBatchTokens">A full batch, in padded tokens (the step's budget): a pool holding this many is full whatever its rows.</param>
internal sealed class PoolChoice(int batchSize, int starvationSteps, TimeSpan maxQueueDelay, int maxBatchTokens = int.MaxValue)
{
    /// <summary>Chooses the pool to run.</summary>
    /// <param name="pools">Each layer's pool, layer 0 first; at least one holds rows.</param>
    /// <param name="step">The step about to run.</param>
    /// <param name="firstPoolWaited">How long the oldest input in layer 0's pool has waited.</param>
    /// <param name="mayWaitForCompany">Nothing more is queued and the scheduler is not draining,
    /// so a partial first batch may wait for requests still to come.</param>
    /// <param name="wait">With -1, how long to wait for company before choosing again.</param>
    /// <returns>The layer to run, or -1 to wait.</returns>
    public int Choose(ReadOnlySpan<PoolLoad> pools, long step, TimeSpan firstPoolWaited, bool mayWaitForCompany, out TimeSpan wait)
    {
        wait = TimeSpan.Zero;
        // 1. The segment that has waited longest, once it has waited too long.
        int starving = -1;
        for (int k = 0; k < pools.Length; k++)
        {
            if (pools[k].Rows > 0 && step - pools[k].OldestStep >= starvationSteps
                && (starving < 0 || pools[k].OldestStep < pools[starving].OldestStep))
                starving = k;
        }
        if (starving >= 0) return starving;
        // 2. The deepest full batch.
        for (int k = pools.Length - 1; k >= 0; k--)
        {
            if (pools[k].Rows > 0 && (pools[k].Rows >= batchSize || pools[k].Tokens >= maxBatchTokens)) return k;
        }
        // 3. Layer 0 alone, partial: wait for company up to the queue delay.
        bool deeper = false;
        for (int k = 1; k < pools.Length; k++) deeper |= pools[k].Rows > 0;
        if (!deeper && mayWaitForCompany && firstPoolWaited < maxQueueDelay)
        {
            wait = maxQueueDelay - firstPoolWaited;
            return -1;
        }
        // 4. The fullest pool, deepest on ties.
        int best = -1, bestRows = 0;
        for (int k = pools.Length - 1; k >= 0; k--)
        {
            if (pools[k].Rows > bestRows) (best, bestRows) = (k, pools[k].Rows);
        }
        return best;
    }
}
