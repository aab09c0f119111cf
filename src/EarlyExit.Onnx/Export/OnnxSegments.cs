using System.Collections.Immutable;
using EarlyExit.Core.IO;
using EarlyExit.Torch.Models;
using Google.Protobuf;
using Onnx;

namespace EarlyExit.Onnx.Export;

/// <summary>
/// A multi-exit encoder as ONNX graphs that run one after another: the embeddings, then for each
/// layer k a segment holding layer k and exit head k. The ONNX Runtime backend
/// (<see cref="Runtime.OnnxExitModel"/>) chains them, stopping each row where its policy exits.
/// </summary>
/// <remarks>
/// Graph signatures (names in <see cref="OnnxTensorNames"/>):
/// <list type="bullet">
/// <item><see cref="Embeddings"/>: input_ids, token_type_ids, attention_mask (batch, seq) int64 →
/// hidden (batch, seq, hidden), attention_bias (batch, 1, 1, seq).</item>
/// <item><see cref="First"/>: input_ids, token_type_ids, attention_mask → hidden_out,
/// attention_bias, logits: the embeddings, layer 0 and exit head 0 in one graph, so a batch's
/// first step is one ORT call (at batch 1 a call's fixed cost is a few percent of a layer).</item>
/// <item><see cref="Layers"/>[k]: hidden, attention_bias → hidden_out (batch, seq, hidden),
/// logits (batch, classes). The head's mean pooling reads the tokens from the bias (0 on tokens,
/// float.MinValue on padding), so a segment needs no mask.</item>
/// <item><see cref="Exits"/>[k]: hidden, attention_bias → logits: head k alone, for callers
/// that score hidden states they already have.</item>
/// </list>
/// </remarks>
/// <param name="Config">The encoder's architecture (sizes, pooling, head shape); FLOPs are counted from it.</param>
/// <param name="Embeddings">The embeddings graph.</param>
/// <param name="First">The embeddings, layer 0 and exit head 0 fused.</param>
/// <param name="Layers">M graphs, layer k with exit head k.</param>
/// <param name="Exits">M graphs, exit head k alone.</param>
public sealed record OnnxSegments(
    EncoderConfig Config,
    ModelProto Embeddings,
    ModelProto First,
    ImmutableArray<ModelProto> Layers,
    ImmutableArray<ModelProto> Exits)
{
    /// <summary>File name of the embeddings graph in a directory written by <see cref="Save"/>.</summary>
    public const string EmbeddingsFileName = "embeddings.onnx";

    /// <summary>File name of the fused first step (embeddings, layer 0, exit 0).</summary>
    public const string FirstFileName = "first.onnx";

    /// <summary>File name of segment k (layer k + exit k), e.g. <c>layer_0.onnx</c>.</summary>
    /// <param name="layerIndex">0-based layer.</param>
    public static string LayerFileName(int layerIndex) => $"layer_{layerIndex}.onnx";

    /// <summary>File name of exit head k alone, e.g. <c>exit_0.onnx</c>.</summary>
    /// <param name="exitIndex">0-based exit.</param>
    public static string ExitFileName(int exitIndex) => $"exit_{exitIndex}.onnx";

    /// <summary>
    /// Writes every graph to <paramref name="directory"/> (created if missing), each file
    /// atomically: <see cref="EmbeddingsFileName"/>, <see cref="FirstFileName"/>, <see cref="LayerFileName"/> and <see cref="ExitFileName"/> per k.
    /// </summary>
    /// <param name="directory">The target directory.</param>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is null or blank.</exception>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        Write(Path.Combine(directory, EmbeddingsFileName), Embeddings);
        Write(Path.Combine(directory, FirstFileName), First);
        for (int k = 0; k < Layers.Length; k++)
        {
            Write(Path.Combine(directory, LayerFileName(k)), Layers[k]);
            Write(Path.Combine(directory, ExitFileName(k)), Exits[k]);
        }
    }

    private static void Write(string path, ModelProto model) =>
        AtomicFile.Write(path, stream => model.WriteTo(stream));
}
