using EarlyExit.Torch.Runtime;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.TestDoubles;

/// <summary>A model that only reports FLOPs, from the given functions; it cannot run.</summary>
internal sealed class FlopsOnlyModel(int exitCount, Func<int, int, double> layer, Func<int, int, double> exit) : IMultiExitModel
{
    public int ExitCount => exitCount;

    public int ClassCount => 2;

    public ExitBatchState RunLayer(int layerIndex, ExitBatchState state) => throw new NotSupportedException();

    public Tensor RunExit(int exitIndex, ExitBatchState state) => throw new NotSupportedException();

    public double LayerFlops(int layerIndex, int tokens) => layer(layerIndex, tokens);

    public double ExitFlops(int exitIndex, int tokens) => exit(exitIndex, tokens);
}
