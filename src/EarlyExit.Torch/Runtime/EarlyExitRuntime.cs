using System.Collections.Immutable;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Runtime;

/// <summary>
/// Runs a multi-exit model layer by layer under an exit policy, so that each input costs only
/// the layers it needs: after layer k the still-running rows are scored by exit k, the policy
/// decides per row, and the rows that exit are removed from the batch before layer k + 1.
/// </summary>
/// <typeparam name="TInput">The model's batch type, e.g. a tokenized <c>TokenBatch</c>.</typeparam>
/// <remarks>
/// <para>The loop, for exit k = 0..M−1 (docs/algorithms.md §2, the online form of
/// <see cref="ExitReplay.ExitIndex"/>):</para>
/// <list type="number">
/// <item>run layer k on the running rows and compute exit k's logits for them, (rows, C)
/// (<see cref="IMultiExitModel.RunLayerAndExit"/>: layer then head, or both in one call where the
/// backend fuses them; for k = 0, <see cref="IMultiExitModel{TInput}.RunFirstStep"/>, the input
/// embedding too);</item>
/// <item>advance the rows (<see cref="ExitStep.Advance"/>, the code the server's depth-pooled
/// scheduler runs too): copy those rows × C floats to the host, the only device-to-host transfer
/// per layer and all the decision needs; for each row, <see cref="ExitSignals.Compute(ReadOnlySpan{float}, int, int)"/>
/// and <see cref="ExitPolicy.ShouldExit"/> with the row's own <see cref="ExitState"/>; record the
/// rows that exit; compact the state to the rows that continue (<see cref="ExitBatchState.SelectRows"/>:
/// <c>index_select</c> on hidden states, mask and bias), or stop when none is left;</item>
/// <item>free each state, and each exit's logits, as soon as they are read
/// (<see cref="ExitBatchState.DisposeTensorsExcept"/>): a batch holds two layers' hidden states
/// at a time, not M.</item>
/// </list>
/// <para>A batch of one takes the same path. Each call to <see cref="Run"/> opens one
/// <c>torch.NewDisposeScope()</c> (every tensor of the batch is freed on return) and runs under
/// <c>torch.no_grad()</c>. The runtime holds no state between calls, so one instance can serve
/// concurrent callers as far as the model's kernels allow.</para>
/// <para>Only deployable policies run here: an oracle needs the final exit's prediction and the
/// label, which a model that stops early never has. Evaluate oracles offline on an exit trace.</para>
/// </remarks>
public sealed class EarlyExitRuntime<TInput>
{
    /// <summary>Creates a runtime for <paramref name="model"/> under <paramref name="policy"/>.</summary>
    /// <param name="model">The multi-exit model; in evaluation mode.</param>
    /// <param name="policy">A deployable policy that fits the model's exits.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="PolicyNotDeployableException">The policy is an oracle.</exception>
    /// <exception cref="ArgumentException">The policy does not
    /// fit <see cref="IMultiExitModel.ExitCount"/> exits (<see cref="ExitPolicy.Validate"/>).</exception>
    public EarlyExitRuntime(IMultiExitModel<TInput> model, ExitPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(policy);
        PolicyNotDeployableException.ThrowIfNotDeployable(policy); // the one deployability check, shared with the library and the server
        policy.Validate(model.ExitCount);
        Model = model;
        Policy = policy;
    }

    /// <summary>The model run.</summary>
    public IMultiExitModel<TInput> Model { get; }

    /// <summary>The policy deciding each row's exit.</summary>
    public ExitPolicy Policy { get; }

    /// <summary>Runs one batch with early exit.</summary>
    /// <param name="batch">The inputs; any size ≥ 1, a single input included.</param>
    /// <param name="onStep">Called after each layer call with the 0-based layer, the rows it ran on
    /// (those that had not exited before it) and their padded tokens (rows × <see cref="ExitBatchState.PaddedWidth"/>,
    /// which shrinks as the longest rows leave), e.g. to count batch sizes; null for none.</param>
    /// <returns>One result per input, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="batch"/> is null.</exception>
    /// <exception cref="InvalidLogitsException">An exit produced a NaN or infinite logit; the message
    /// names the input (its row in <paramref name="batch"/>) and the exit.</exception>
    /// <exception cref="InvalidOperationException">The model returned logits of the wrong shape.</exception>
    public ImmutableArray<ExitResult> Run(TInput batch, Action<int, int, int>? onStep = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        LayerStep step = Model.RunFirstStep(batch);
        ExitBatchState state = step.State;
        var results = new ExitResult[state.RowCount];
        ImmutableArray<Row> rows = [.. Enumerable.Range(0, state.RowCount).Select(input => new Row(input, Policy))];
        for (int k = 0; ; k++)
        {
            onStep?.Invoke(k, state.RowCount, state.RowCount * state.PaddedWidth);
            ExitStepOutcome<Row> outcome = ExitStep.Advance(Model, k, step, rows.AsSpan());
            foreach ((Row row, ExitResult result) in outcome.Exited) results[row.Sample] = result;
            // The last exit always exits, so every row has left by k = M − 1.
            if (outcome.Next is not { } next) break;
            state = Replace(state, next);
            rows = outcome.Continuing;
            step = Model.RunLayerAndExit(k + 1, state);
            state = Replace(state, step.State);
        }
        return ImmutableArray.Create(results);
    }

    /// <summary>Frees what <paramref name="previous"/> holds and <paramref name="next"/> does not, as soon as it is no longer read.</summary>
    private static ExitBatchState Replace(ExitBatchState previous, ExitBatchState next)
    {
        previous.DisposeTensorsExcept(next);
        return next;
    }

    /// <summary>Input <see cref="IExitRow.Sample"/> of the batch, under the runtime's one policy.</summary>
    private sealed class Row(int sample, ExitPolicy policy) : IExitRow
    {
        private ExitState _state = ExitState.Start();

        public ExitPolicy Policy => policy;

        public int Sample => sample;

        public ref ExitState State => ref _state;

        public bool IsAbandoned => false;
    }
}
