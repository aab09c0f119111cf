using EarlyExit.Torch.Runtime;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.TestDoubles;

/// <summary>
/// Wraps a model and counts, per layer and per input row, the calls that computed that row —
/// from the rows each call actually received — so a test can prove that a row that left at exit
/// k never reached layer k + 1. Counters live here, in the test, never on a model.
/// </summary>
internal sealed class CountingExitModel<TInput>(IMultiExitModel<TInput> inner) : IMultiExitModel<TInput>
{
    /// <summary>[layer][input row]: how many times layer ran on that row (0 or 1 when all is well).</summary>
    public int[][] LayerCalls { get; private set; } = [];

    /// <summary>[exit][input row]: how many times that exit head ran on that row.</summary>
    public int[][] ExitCalls { get; private set; } = [];

    /// <summary>Rows of the hidden-state tensor each layer call received, in call order.</summary>
    public List<long> RowsPerLayerCall { get; } = [];

    /// <summary>
    /// At each layer call, whether every hidden-state tensor received by the calls before the
    /// previous one had been freed already: the runtime frees a state once the next one is made.
    /// </summary>
    public List<bool> OlderHiddenFreedPerLayerCall { get; } = [];

    private readonly List<Tensor> _hiddenReceived = [];

    public int ExitCount => inner.ExitCount;

    public int ClassCount => inner.ClassCount;

    public ExitBatchState Begin(TInput batch)
    {
        ExitBatchState state = inner.Begin(batch);
        LayerCalls = [.. Enumerable.Range(0, ExitCount).Select(_ => new int[state.RowCount])];
        ExitCalls = [.. Enumerable.Range(0, ExitCount).Select(_ => new int[state.RowCount])];
        RowsPerLayerCall.Clear();
        OlderHiddenFreedPerLayerCall.Clear();
        _hiddenReceived.Clear();
        return state;
    }

    public ExitBatchState RunLayer(int layerIndex, ExitBatchState state)
    {
        // The tensor really holds only the state's rows: compaction happened on the device, not just in the bookkeeping.
        Assert.Equal(state.RowCount, state.Hidden.shape[0]);
        RowsPerLayerCall.Add(state.Hidden.shape[0]);
        OlderHiddenFreedPerLayerCall.Add(_hiddenReceived.SkipLast(1).All(t => t.IsInvalid));
        _hiddenReceived.Add(state.Hidden);
        foreach (int row in state.InputRows) LayerCalls[layerIndex][row]++;
        return inner.RunLayer(layerIndex, state);
    }

    public Tensor RunExit(int exitIndex, ExitBatchState state)
    {
        Assert.Equal(state.RowCount, state.Hidden.shape[0]);
        foreach (int row in state.InputRows) ExitCalls[exitIndex][row]++;
        return inner.RunExit(exitIndex, state);
    }

    public double LayerFlops(int layerIndex, int tokens) => inner.LayerFlops(layerIndex, tokens);

    public double ExitFlops(int exitIndex, int tokens) => inner.ExitFlops(exitIndex, tokens);
}
