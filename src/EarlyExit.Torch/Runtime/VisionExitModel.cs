using EarlyExit.Torch.Models.Vision;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Runtime;

/// <summary>
/// A <see cref="MultiExitVisionModel"/> (ViT or CNN) as an <see cref="IMultiExitModel{TInput}"/> of
/// image batches: what the early-exit runtime and the exit-trace recorder run.
/// </summary>
/// <remarks>
/// <para>Images have a fixed size, so every image costs the same: a row's size for FLOPs is its
/// pixel count (<see cref="VisionConfig.ImageSize"/>²), which <see cref="LayerFlops"/> and
/// <see cref="ExitFlops"/> ignore; the counts are <see cref="VisionFlops"/>'.</para>
/// <para>Inference only: the constructor puts the model in evaluation mode (BatchNorm on its running
/// statistics, so a row's output does not depend on its batch), and <see cref="Begin"/> refuses a
/// model switched back to training mode since.</para>
/// </remarks>
public sealed class VisionExitModel : IMultiExitModel<ImageBatch>
{
    private readonly Device _device;
    private readonly double[] _blockFlops;
    private readonly double _exitFlops;

    /// <summary>Wraps <paramref name="model"/> and puts it in evaluation mode.</summary>
    /// <param name="model">The model; it stays owned by the caller (not disposed here).</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    public VisionExitModel(MultiExitVisionModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        model.eval();
        _device = model.parameters().First().device;
        _blockFlops = [.. Enumerable.Range(0, model.BlockCount).Select(b => VisionFlops.Block(model.Config, b))];
        _exitFlops = VisionFlops.Exit(model.Config);
    }

    /// <summary>The wrapped model.</summary>
    public MultiExitVisionModel Model { get; }

    /// <inheritdoc/>
    public int ExitCount => Model.BlockCount;

    /// <inheritdoc/>
    public int ClassCount => Model.Config.ClassCount;

    /// <summary>Normalises and embeds a batch of images: the input of block 0.</summary>
    /// <param name="batch">Images at the model's input shape, e.g. from <see cref="ImageBatch.FromExamples"/>.</param>
    /// <returns>A state without mask or bias; each row's size is the image's pixel count.</returns>
    /// <exception cref="ArgumentException">The batch's shape is not the model's.</exception>
    /// <exception cref="InvalidOperationException">The model is in training mode.</exception>
    public ExitBatchState Begin(ImageBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (Model.training)
            throw new InvalidOperationException("the model is in training mode (BatchNorm on batch statistics); call eval() on it before running inference");
        VisionConfig config = Model.Config;
        if (batch.Channels != config.Channels || batch.Size != config.ImageSize)
            throw new ArgumentException(
                $"batch holds {batch.Channels}-channel {batch.Size}-pixel images; the model takes {config.Channels}-channel {config.ImageSize}-pixel images", nameof(batch));
        var sizes = new int[batch.Count];
        Array.Fill(sizes, config.ImageSize * config.ImageSize);
        return ExitBatchState.Start(Model.Embed(batch.ToTensor(_device)), null, null, sizes);
    }

    /// <inheritdoc/>
    public ExitBatchState RunLayer(int layerIndex, ExitBatchState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.WithHidden(Model.RunBlock(layerIndex, state.Hidden));
    }

    /// <inheritdoc/>
    public Tensor RunExit(int exitIndex, ExitBatchState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Model.RunExit(exitIndex, state.Hidden);
    }

    /// <summary>FLOPs of block <paramref name="layerIndex"/> for one image (<see cref="VisionFlops.Block"/>; block 0 includes the input layer).</summary>
    /// <param name="layerIndex">0-based block.</param>
    /// <param name="tokens">Unused: every image has the model's size.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layerIndex"/> is out of range.</exception>
    public double LayerFlops(int layerIndex, int tokens)
    {
        if ((uint)layerIndex >= (uint)_blockFlops.Length)
            throw new ArgumentOutOfRangeException(nameof(layerIndex), layerIndex,
                $"layerIndex must be between 0 and {_blockFlops.Length - 1} (the model has {_blockFlops.Length} blocks); got {layerIndex}");
        return _blockFlops[layerIndex];
    }

    /// <summary>FLOPs of one exit head (<see cref="VisionFlops.Exit"/>; all heads cost the same).</summary>
    /// <param name="exitIndex">0-based exit.</param>
    /// <param name="tokens">Unused.</param>
    public double ExitFlops(int exitIndex, int tokens) => _exitFlops;
}
