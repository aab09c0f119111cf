using EarlyExit.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Models.Vision;

/// <summary>
/// An image classifier with an exit head after every block, trained from scratch: the parts the
/// early-exit runtime runs one at a time — <see cref="Embed"/>, <see cref="RunBlock"/> k,
/// <see cref="RunExit"/> k — and <see cref="nn.Module{T, TResult}.forward"/>, which runs them all
/// for training and exit traces. <see cref="MultiExitVit"/> and <see cref="MultiExitCnn"/> fill them in.
/// </summary>
/// <remarks>
/// Inputs are raw intensities: (batch, channels, size, size) float32 in [0, 255]; the model
/// scales them to [0, 1] and normalises with the config's mean and standard deviation itself.
/// Exit head k's parameters are named <c>exits.k.*</c> (the trainer tells heads from the
/// backbone by that prefix). Call <c>eval()</c> and run under <c>torch.no_grad()</c> for inference.
/// </remarks>
public abstract class MultiExitVisionModel : nn.Module<Tensor, Tensor>, IMultiExitNetwork
{
    /// <summary>Validates <paramref name="config"/> and names the module.</summary>
    /// <param name="name">The module's name.</param>
    /// <param name="config">Sizes.</param>
    /// <param name="architecture">The architecture the derived class implements.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is invalid.</exception>
    /// <exception cref="ArgumentException">The config names another architecture.</exception>
    private protected MultiExitVisionModel(string name, VisionConfig config, VisionArchitecture architecture) : base(name)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        if (config.Architecture != architecture)
            throw new ArgumentException($"config.Architecture must be {architecture} for a {name}; got {config.Architecture}", nameof(config));
        Config = config;
    }

    /// <summary>The sizes this model was built with.</summary>
    public VisionConfig Config { get; }

    /// <summary>M, the number of blocks, equal to the number of exits.</summary>
    public int BlockCount => Config.BlockCount;

    /// <summary>Builds the model <paramref name="config"/> describes, randomly initialised.</summary>
    /// <param name="config">Sizes; validated.</param>
    /// <returns>A <see cref="MultiExitVit"/> or a <see cref="MultiExitCnn"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is invalid.</exception>
    public static MultiExitVisionModel Create(VisionConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Architecture == VisionArchitecture.Vit ? new MultiExitVit(config) : new MultiExitCnn(config);
    }

    /// <summary>Normalises raw images and runs the input layer (patch embedding or stem).</summary>
    /// <param name="images">(batch, channels, size, size) float32 intensities in [0, 255].</param>
    /// <returns>The input of block 0: (batch, patches, width) for a ViT, (batch, width, s₀, s₀) for a CNN.</returns>
    /// <exception cref="ArgumentException">The images do not have the config's shape.</exception>
    public Tensor Embed(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        long size = Config.ImageSize;
        if (images.dim() != 4 || images.shape[1] != Config.Channels || images.shape[2] != size || images.shape[3] != size)
            throw new ArgumentException(
                $"images must be (batch, {Config.Channels}, {size}, {size}); got ({string.Join(", ", images.shape)})", nameof(images));
        using var scope = NewDisposeScope();
        // x/255 in [0, 1], then (x − mean)/std with the training set's statistics (VisionConfig).
        Tensor normalised = ((images.to_type(ScalarType.Float32) / 255.0) - Config.PixelMean) / Config.PixelStd;
        return InputLayer(normalised).MoveToOuterDisposeScope();
    }

    /// <summary>Runs block <paramref name="blockIndex"/> alone.</summary>
    /// <param name="blockIndex">0-based block, in [0, <see cref="BlockCount"/>).</param>
    /// <param name="hidden">The previous block's output (or <see cref="Embed"/>'s).</param>
    /// <returns>The block's output, rows as in <paramref name="hidden"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="blockIndex"/> is out of range.</exception>
    public Tensor RunBlock(int blockIndex, Tensor hidden)
    {
        CheckIndex(blockIndex, nameof(blockIndex));
        ArgumentNullException.ThrowIfNull(hidden);
        return Block(blockIndex, hidden);
    }

    /// <summary>Runs exit head <paramref name="exitIndex"/> on the output of block <paramref name="exitIndex"/>.</summary>
    /// <param name="exitIndex">0-based exit, in [0, <see cref="BlockCount"/>).</param>
    /// <param name="hidden">The output of block <paramref name="exitIndex"/>.</param>
    /// <returns>(batch, classes) logits.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="exitIndex"/> is out of range.</exception>
    public Tensor RunExit(int exitIndex, Tensor hidden)
    {
        CheckIndex(exitIndex, nameof(exitIndex));
        ArgumentNullException.ThrowIfNull(hidden);
        return Exit(exitIndex, hidden);
    }

    /// <summary>Runs every block and every exit.</summary>
    /// <param name="input">(batch, channels, size, size) float32 intensities in [0, 255].</param>
    /// <returns>(exits, batch, classes) logits, exit k after block k.</returns>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        Tensor hidden = Embed(input);
        var logits = new Tensor[BlockCount];
        for (int k = 0; k < BlockCount; k++)
        {
            hidden = Block(k, hidden);
            logits[k] = Exit(k, hidden);
        }
        return stack(logits).MoveToOuterDisposeScope(); // (exits, batch, classes)
    }

    nn.Module IMultiExitNetwork.Module => this;

    int IMultiExitNetwork.ExitCount => BlockCount;

    int IMultiExitNetwork.ClassCount => Config.ClassCount;

    /// <summary>The trainer's forward: an <see cref="ImageTrainingSet"/> batch is the images alone.</summary>
    Tensor IMultiExitNetwork.Forward(TrainingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return call(batch.Input(0, 1, GetType().Name));
    }

    /// <summary>The input layer on normalised images (batch, channels, size, size).</summary>
    private protected abstract Tensor InputLayer(Tensor images);

    /// <summary>Block <paramref name="blockIndex"/> (checked by the caller).</summary>
    private protected abstract Tensor Block(int blockIndex, Tensor hidden);

    /// <summary>Exit head <paramref name="exitIndex"/> (checked by the caller).</summary>
    private protected abstract Tensor Exit(int exitIndex, Tensor hidden);

    private void CheckIndex(int index, string name)
    {
        if ((uint)index >= (uint)BlockCount)
            throw new ArgumentOutOfRangeException(name, index,
                $"{name} must be between 0 and {BlockCount - 1} (the model has {BlockCount} blocks); got {index}");
    }
}
