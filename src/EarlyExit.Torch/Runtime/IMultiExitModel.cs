using static TorchSharp.torch;

namespace EarlyExit.Torch.Runtime;

/// <summary>
/// A model with an exit classifier after every layer, seen as parts the early-exit runtime runs
/// one at a time: layer k on the rows still running, then exit k on them. Text encoders and image
/// models implement it; <see cref="EarlyExitRuntime{TInput}"/> and
/// <see cref="Traces.ExitTraceRecorder"/> are written once against it.
/// </summary>
/// <remarks>
/// <para>Indices are 0-based: layer k is followed by exit k, and a row that leaves at exit k has
/// run layers 0..k (k + 1 layers) and heads 0..k.</para>
/// <para>Input-specific work (embedding, masks) is in <see cref="IMultiExitModel{TInput}.Begin"/>;
/// the rest sees only an <see cref="ExitBatchState"/>. Implementations hold no per-batch or
/// per-sample state: everything that changes while a batch runs lives in the state object.</para>
/// <para>FLOPs: <see cref="LayerFlops"/> and <see cref="ExitFlops"/> count one input's cost from
/// its own size (its tokens, not the batch's padded width), so a row's compute does not depend on
/// the batch it ran in. <see cref="ModelFlops"/> sums them.</para>
/// <para>Tensors: return new tensors, or the very <c>Tensor</c> objects of the state given (the mask
/// and bias a layer does not change). The runtime disposes a state's tensors once the next state
/// is made, except those the next state holds, and disposes logits once read.</para>
/// </remarks>
public interface IMultiExitModel
{
    /// <summary>M, the number of layers, each followed by one exit.</summary>
    int ExitCount { get; }

    /// <summary>C, the number of classes every exit predicts.</summary>
    int ClassCount { get; }

    /// <summary>Runs layer <paramref name="layerIndex"/> on every row of <paramref name="state"/>.</summary>
    /// <param name="layerIndex">0-based layer, in [0, <see cref="ExitCount"/>).</param>
    /// <param name="state">The rows still running, holding the previous layer's output (or the embeddings).</param>
    /// <returns>The same rows holding the layer's output.</returns>
    ExitBatchState RunLayer(int layerIndex, ExitBatchState state);

    /// <summary>Runs exit head <paramref name="exitIndex"/> on every row of <paramref name="state"/>.</summary>
    /// <param name="exitIndex">0-based exit, in [0, <see cref="ExitCount"/>).</param>
    /// <param name="state">The rows, holding the output of layer <paramref name="exitIndex"/>.</param>
    /// <returns>(rows, classes) float32 logits, row r for <paramref name="state"/>'s row r.</returns>
    Tensor RunExit(int exitIndex, ExitBatchState state);

    /// <summary>
    /// Runs layer <paramref name="layerIndex"/> and then exit head <paramref name="layerIndex"/> on
    /// every row: one step of the exit loop. The default calls <see cref="RunLayer"/> then
    /// <see cref="RunExit"/>; a backend that computes both in one call (an ONNX segment holding a
    /// layer and its head) overrides it to save the second call.
    /// </summary>
    /// <param name="layerIndex">0-based layer, in [0, <see cref="ExitCount"/>).</param>
    /// <param name="state">The rows still running, holding the previous layer's output (or the embeddings).</param>
    /// <returns>The rows holding the layer's output, and exit <paramref name="layerIndex"/>'s (rows, classes) logits.</returns>
    LayerStep RunLayerAndExit(int layerIndex, ExitBatchState state)
    {
        ExitBatchState next = RunLayer(layerIndex, state);
        return new LayerStep(next, RunExit(layerIndex, next));
    }

    /// <summary>FLOPs of layer <paramref name="layerIndex"/> for one input of <paramref name="tokens"/> tokens.</summary>
    /// <param name="layerIndex">0-based layer.</param>
    /// <param name="tokens">The input's own size (real tokens for text, patches for a ViT; models of
    /// fixed-size inputs may ignore it), ≥ 0.</param>
    double LayerFlops(int layerIndex, int tokens);

    /// <summary>FLOPs of exit head <paramref name="exitIndex"/> for one input of <paramref name="tokens"/> tokens.</summary>
    /// <param name="exitIndex">0-based exit.</param>
    /// <param name="tokens">As for <see cref="LayerFlops"/>.</param>
    double ExitFlops(int exitIndex, int tokens);
}
