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
/// <para>The loop, for exit k = 0..M−1 (ALGORITHMS §2, the online form of
/// <see cref="ExitReplay.ExitIndex"/>):</para>
/// <list type="number">
/// <item>run layer k on the running rows and compute exit k's logits for them, (rows, C)
/// (<see cref="IMultiExitModel.RunLayerAndExit"/>: layer then head, or both in one call where the
/// backend fuses them; for k = 0, <see cref="IMultiExitModel{TInput}.RunFirstStep"/>, the input
/// embedding too), and copy those rows × C floats to the host:
/// the only device-to-host transfer per layer, and all the decision needs;</item>
/// <item>for each row, <see cref="ExitSignals.Compute(ReadOnlySpan{float}, int, int)"/> and
/// <see cref="ExitPolicy.ShouldExit"/> with the row's own <see cref="ExitState"/>
/// (<see cref="ExitDecision"/>, shared with the server's schedulers); record the rows that exit;</item>
/// <item>compact the state to the rows that continue (<see cref="ExitBatchState.SelectRows"/>:
/// <c>index_select</c> on hidden states, mask and bias), or stop when none is left.</item>
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
    /// <exception cref="ArgumentException">The policy is an oracle (not deployable), or does not
    /// fit <see cref="IMultiExitModel.ExitCount"/> exits (<see cref="ExitPolicy.Validate"/>).</exception>
    public EarlyExitRuntime(IMultiExitModel<TInput> model, ExitPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(policy);
        if (!policy.IsDeployable)
            throw new ArgumentException(
                $"policy '{policy.Name}' is not deployable: it needs each input's final prediction and label (hindsight), "
                + "which a model that stops early never computes; evaluate it offline on an exit trace (TraceEvaluator) instead",
                nameof(policy));
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
    /// <returns>One result per input, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="batch"/> is null.</exception>
    /// <exception cref="InvalidLogitsException">An exit produced a NaN or infinite logit; the message
    /// names the input (its row in <paramref name="batch"/>) and the exit.</exception>
    /// <exception cref="InvalidOperationException">The model returned logits of the wrong shape.</exception>
    public ImmutableArray<ExitResult> Run(TInput batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        LayerStep step = Model.RunFirstStep(batch);
        ExitBatchState state = step.State;
        int inputs = state.RowCount, exits = Model.ExitCount, classes = Model.ClassCount;
        var results = new ExitResult[inputs];
        var exitStates = new ExitState[inputs];       // indexed by input row
        for (int i = 0; i < inputs; i++) exitStates[i] = ExitState.Start();
        var flops = new double[inputs];               // FLOPs run so far, per input row
        var hostLogits = new float[inputs * classes]; // (rows, C) of the current exit
        var continuing = new int[inputs];             // state rows that go on to the next layer

        for (int k = 0; ; k++)
        {
            int rows = state.RowCount;
            Span<float> logits = hostLogits.AsSpan(0, rows * classes);
            ExitStep.CopyLogits(Model, step.Logits, rows, k, logits);

            int kept = 0;
            for (int r = 0; r < rows; r++)
            {
                int input = state.InputRows[r];
                int tokens = state.TokenCounts[r];
                flops[input] += ExitStep.Flops(Model, k, tokens);
                ReadOnlySpan<float> z = logits.Slice(r * classes, classes);
                if (ExitDecision.Decide(Policy, k, exits, z, input, ref exitStates[input], out SignalValues signals))
                    results[input] = ExitStep.Result(Model, z, signals, k, flops[input], tokens);
                else
                    continuing[kept++] = r;
            }

            step.Logits.Dispose();
            if (kept == 0) break; // the last exit always exits, so every row has left by k = M − 1
            // Rows that exited leave the batch: layer k + 1 computes nothing for them.
            if (kept < rows) state = Replace(state, state.SelectRows(continuing.AsSpan(0, kept)));
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
}
