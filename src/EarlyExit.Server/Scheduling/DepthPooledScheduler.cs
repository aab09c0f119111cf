using EarlyExit.Data.Batching;
using EarlyExit.Core.Policies;
using EarlyExit.Data.Tokenization;
using EarlyExit.Server.Telemetry;
using EarlyExit.Torch.Runtime;
using System.Diagnostics;
using static TorchSharp.torch;

namespace EarlyExit.Server.Scheduling;

/// <summary>
/// Depth-pooled continuous batching: every input is a row that carries its own depth; rows
/// waiting for the same layer form that layer's pool; each step runs ONE layer on a batch of up
/// to <see cref="ServerOptions.MaxBatchSize"/> rows from one pool, evaluates that layer's exit
/// for them, answers the rows that exit and moves the rest to the next layer's pool. New
/// requests enter layer 1's pool as it empties, so a layer call runs on as full a batch as the
/// load allows whatever depth each row is at, and rows that exit early never hold a batch slot.
/// </summary>
/// <remarks>
/// <para>Each step, on the worker thread (the only one that runs the model), under one
/// <c>torch.NewDisposeScope()</c> and <c>no_grad</c>:</para>
/// <list type="number">
/// <item>drop the rows of cancelled requests (if any cancellation happened since the last step);</item>
/// <item>admit queued inputs into layer 1's pool until it holds a full batch: their rows,
/// tokenized when they were submitted, are padded together, embedded
/// (<see cref="IMultiExitModel{TInput}.Begin"/>) and pooled as one segment;</item>
/// <item>choose a pool by the rule below and take a batch from it, oldest segments first, of at
/// most <see cref="ServerOptions.MaxBatchSize"/> rows and <see cref="ServerOptions.MaxBatchTokens"/>
/// padded tokens (rows × the widest segment taken; the internal <c>StepBudget</c>: a row wider than
/// the budget runs alone); rows from different segments are joined by
/// <see cref="ExitBatchState.Concat"/>, padded to the longest (the mask and bias are per row, so
/// each row attends only to its own tokens);</item>
/// <item>run the layer and its exit (<see cref="IMultiExitModel.RunLayerAndExit"/>: one call on
/// the ONNX backend); advance the rows with <see cref="ExitStep.Advance"/> (the runtime's code),
/// each under its own request's policy and its own <see cref="ExitState"/>; answer the rows that
/// exit; the others go on, compacted and cut to the longest of them (by <see cref="ExitStep.Advance"/>:
/// <see cref="ExitBatchState.TrimPadding"/>), to the next pool as a new segment.</item>
/// </list>
/// <para>Which pool runs <b>(our choice)</b>, first rule that applies (the internal <c>PoolChoice</c>):</para>
/// <list type="number">
/// <item>a pool whose oldest segment has waited <see cref="StarvationSteps"/> steps or more (the
/// oldest such): no row waits for ever behind full batches;</item>
/// <item>the deepest pool holding a full batch: full batches use the model best, and the deepest
/// first finishes rows soonest, answering requests and freeing capacity;</item>
/// <item>if only layer 1's pool holds rows, nothing more is queued, and its oldest input arrived
/// less than <see cref="ServerOptions.MaxQueueDelay"/> ago: wait for company until then (never
/// while deeper rows could run, and never once draining for shutdown);</item>
/// <item>otherwise the fullest pool, the deepest on ties.</item>
/// </list>
/// <para>Tensors of waiting rows outlive a step: they are detached from the step's dispose scope
/// when pooled (<see cref="ExitBatchState.DetachFromDisposeScope"/>) and disposed explicitly when
/// their rows move on, exit or are dropped.</para>
/// </remarks>
public sealed class DepthPooledScheduler : InferenceScheduler
{
    /// <summary>Creates the scheduler and starts its worker.</summary>
    /// <param name="model">The model; the worker is its only user from now on.</param>
    /// <param name="tokenizer">The tokenizer the model was trained with.</param>
    /// <param name="options">Validated options.</param>
    /// <param name="metrics">The server's metrics.</param>
    public DepthPooledScheduler(IMultiExitModel<TokenBatch> model, TextTokenizer tokenizer, ServerOptions options, ServerMetrics metrics)
        : this(model, tokenizer, options, metrics, start: true)
    {
    }

    internal DepthPooledScheduler(IMultiExitModel<TokenBatch> model, TextTokenizer tokenizer, ServerOptions options, ServerMetrics metrics, bool start)
        : base(model, tokenizer, options, metrics, options?.MaxBatchSize ?? 1, start)
    {
    }

    /// <summary>Steps after which a waiting segment runs regardless of fuller pools: 2·M (our choice), two passes over the depths.</summary>
    public int StarvationSteps => 2 * Model.ExitCount;

    /// <inheritdoc/>
    private protected override void Run()
    {
        // All state is local to the worker thread (the base constructor starts it, so fields set
        // by a derived constructor body might not be seen yet).
        int exits = Model.ExitCount;
        var pools = new List<Segment>[exits];
        for (int k = 0; k < exits; k++) pools[k] = [];
        var admitted = new List<QueuedRow>();
        long step = 0;
        int batch = BatchSize;
        var choice = new PoolChoice(batch, StarvationSteps, Options.MaxQueueDelay, Options.MaxBatchTokens);

        while (true)
        {
            if (Queue.TakeCancellations()) DropCancelledRows(pools);

            int room = batch - RowCount(pools[0]);
            if (room > 0)
            {
                admitted.Clear();
                if (Queue.TakeRows(room, admitted) > 0) Admit(admitted, pools[0], step);
            }

            bool idle = pools.All(p => p.Count == 0);
            if (idle)
            {
                if (!Queue.WaitForWork(Timeout.InfiniteTimeSpan, idle: true)) return;
                continue;
            }

            int layer = Choose(choice, pools, step, !Queue.IsDraining && Queue.IsEmpty, out TimeSpan wait);
            if (layer < 0)
            {
                Queue.WaitForWork(wait, idle: false);
                continue;
            }
            RunStep(layer, pools, batch, step);
            step++;
        }
    }

    private static int Choose(PoolChoice choice, List<Segment>[] pools, long step, bool mayWaitForCompany, out TimeSpan wait)
    {
        Span<PoolLoad> loads = stackalloc PoolLoad[pools.Length];
        for (int k = 0; k < pools.Length; k++)
            loads[k] = new PoolLoad(RowCount(pools[k]), pools[k].Count > 0 ? pools[k][0].EnteredStep : 0, pools[k].Sum(s => s.Rows.Length * s.Width));
        TimeSpan waited = pools[0].Count > 0 ? Stopwatch.GetElapsedTime(pools[0].Min(s => s.OldestArrival)) : TimeSpan.Zero;
        return choice.Choose(loads, step, waited, mayWaitForCompany, out wait);
    }

    private void Admit(List<QueuedRow> admitted, List<Segment> pool, long step)
    {
        // Length-sorted segments under the token budget: rows of like length enter together.
        foreach (var planned in TokenBudgetBatches.Plan([.. admitted.Select(r => r.Input.Length)], Options.MaxBatchTokens, admitted.Count))
        {
            QueuedRow[] rows = [.. planned.Select(i => admitted[i])];
            try
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                // The rows were tokenized when their requests arrived: only padding is left to do here.
                TokenBatch tokens = Tokenizer.Collate([.. rows.Select(r => r.Input)]);
                ExitBatchState state = Model.Begin(tokens).DetachFromDisposeScope();
                pool.Add(new Segment(state, [.. rows.Select(r => new PooledRow(r))], step));
            }
            catch (Exception e)
            {
                foreach (QueuedRow row in rows) row.Job.Fail(e);
                Queue.Release(rows.Length);
            }
        }
    }

    private void RunStep(int layer, List<Segment>[] pools, int batch, long step)
    {
        List<Segment> pool = pools[layer];
        // The token budget per step: the oldest segments first, as many rows as fit at the joined width.
        int[] take = StepBudget.Take([.. pool.Select(s => s.Rows.Length)], [.. pool.Select(s => s.Width)], batch, Options.MaxBatchTokens);
        var taken = new List<Segment>();
        var freed = new List<Segment>();
        var kept = new List<Segment>(pool.Count);
        int rows = 0;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < pool.Count; i++)
        {
            Segment segment = pool[i];
            int k = take[i];
            if (k == 0)
            {
                kept.Add(segment);
                continue;
            }
            freed.Add(segment);
            rows += k;
            if (k == segment.Rows.Length)
            {
                taken.Add(segment);
                continue;
            }
            // Split: the first k rows run now, the rest keep their place (and age) in the pool.
            taken.Add(new Segment(segment.State.SelectRows(Range(0, k)), segment.Rows[..k], segment.EnteredStep));
            kept.Add(new Segment(segment.State.SelectRows(Range(k, segment.Rows.Length)).DetachFromDisposeScope(),
                segment.Rows[k..], segment.EnteredStep));
        }
        pool.Clear();
        pool.AddRange(kept);
        PooledRow[] batchRows = [.. taken.SelectMany(s => s.Rows)];
        ExitBatchState? next = null;
        try
        {
            ExitBatchState state = taken.Count == 1 ? taken[0].State : ExitBatchState.Concat([.. taken.Select(s => s.State)]);
            // Layer and head in one step: one call per segment on the ONNX backend.
            LayerStep ran = Model.RunLayerAndExit(layer, state);
            Metrics.LayerCall(layer, rows, rows * state.PaddedWidth);
            ExitStepOutcome<PooledRow> outcome = ExitStep.Advance(Model, layer, ran, batchRows);
            if (outcome.Next is { } continuing)
            {
                next = continuing.DetachFromDisposeScope();
                pools[layer + 1].Add(new Segment(next, [.. outcome.Continuing], step));
            }
            foreach ((PooledRow row, ExitResult result) in outcome.Exited) row.Source.Answer(result, Metrics);
            Queue.Release(rows - outcome.Continuing.Length);
        }
        catch (Exception e)
        {
            // The step failed as a whole (e.g. non-finite logits): fail every request it touched.
            foreach (PooledRow row in batchRows) row.Source.Job.Fail(e);
            Queue.Release(rows);
        }
        finally
        {
            foreach (Segment segment in freed) segment.State.DisposeTensorsExcept(next);
        }
    }

    private void DropCancelledRows(List<Segment>[] pools)
    {
        using var scope = NewDisposeScope();
        foreach (List<Segment> pool in pools)
        {
            for (int i = pool.Count - 1; i >= 0; i--)
            {
                Segment segment = pool[i];
                int[] live = [.. Enumerable.Range(0, segment.Rows.Length).Where(r => !segment.Rows[r].IsAbandoned)];
                if (live.Length == segment.Rows.Length) continue;
                if (live.Length == 0)
                    pool.RemoveAt(i);
                else
                    pool[i] = new Segment(segment.State.SelectRows(live).DetachFromDisposeScope(), [.. live.Select(r => segment.Rows[r])], segment.EnteredStep);
                segment.State.DisposeTensorsExcept(null);
                Queue.Release(segment.Rows.Length - live.Length);
            }
        }
    }

    private static int RowCount(List<Segment> pool)
    {
        int rows = 0;
        foreach (Segment segment in pool) rows += segment.Rows.Length;
        return rows;
    }

    private static int[] Range(int start, int end) => [.. Enumerable.Range(start, end - start)];

    /// <summary>An input in flight: where it came from and its exit state, under its own request's policy.</summary>
    private sealed class PooledRow(QueuedRow source) : IExitRow
    {
        private ExitState _state = ExitState.Start();

        public QueuedRow Source { get; } = source;

        public ExitPolicy Policy => Source.Job.Policy;

        public int Sample => Source.Row;

        public ref ExitState State => ref _state;

        // A cancelled or failed request's rows stop at the next layer instead of running on unanswered.
        public bool IsAbandoned => Source.Job.IsFinished;
    }

    /// <summary>Rows that entered a pool together, with their (owned) tensors; row r of <see cref="State"/> is <see cref="Rows"/>[r].</summary>
    private sealed record Segment(ExitBatchState State, PooledRow[] Rows, long EnteredStep)
    {
        /// <summary>Padded tokens per row, read once (a native call).</summary>
        public int Width { get; } = State.PaddedWidth;

        public long OldestArrival => Rows.Min(r => r.Source.Job.ArrivedAt);
    }
}
