using System.Collections.Immutable;
using EarlyExit.Torch.Models;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace EarlyExit.Onnx.Export;

/// <summary>
/// Exports a (trained or freshly headed) <see cref="MultiExitEncoder"/> to ONNX, built in C# from
/// its weights: per segment for the early-exit backend (<see cref="ExportSegments"/>), or as one
/// graph of all layers and the final head, the plain classifier a user would otherwise deploy
/// (<see cref="ExportFullModel"/>).
/// </summary>
/// <remarks>
/// The graphs compute what the TorchSharp modules compute in evaluation mode (no dropout), with
/// opset 17 ops only; weights are copied as float32 whatever the model's dtype. A graph holds its
/// own copy of the weights it uses, so the segments together are about the size of the model
/// (MiniLM-L6: ≈ 90 MB), the full model the same again.
/// </remarks>
public static class OnnxExporter
{
    /// <summary>Exports the embeddings, each layer with its exit head, each head alone, and the first step fused (embeddings, layer 0, exit 0).</summary>
    /// <param name="encoder">The model; read only.</param>
    /// <returns>The segments; see <see cref="OnnxSegments"/> for their signatures.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="encoder"/> is null.</exception>
    /// <exception cref="ArgumentException">The encoder's config is not BERT's forward (an imported DistilBERT, RoBERTa, ELECTRA or ALBERT; docs/models.md).</exception>
    /// <param name="precision">Float32 (default) or int8 Linear layers (<see cref="OnnxPrecision.Int8"/>).</param>
    public static OnnxSegments ExportSegments(MultiExitEncoder encoder, OnnxPrecision precision = OnnxPrecision.Float32)
    {
        var graph = new EncoderGraph(encoder, precision);
        EncoderConfig config = graph.Config;
        var layers = ImmutableArray.CreateBuilder<ModelProto>(config.LayerCount);
        var exits = ImmutableArray.CreateBuilder<ModelProto>(config.LayerCount);
        for (int k = 0; k < config.LayerCount; k++)
        {
            var g = new OnnxGraphBuilder($"layer_{k}");
            string hidden = HiddenInput(g, config);
            string bias = BiasInput(g);
            string output = graph.Layer(g, k, hidden, bias, OnnxTensorNames.HiddenOut);
            graph.Exit(g, k, output, bias, OnnxTensorNames.Logits);
            g.Output(OnnxTensorNames.HiddenOut, DataType.Float, HiddenShape(config));
            LogitsOutput(g, config);
            layers.Add(g.ToModel(EncoderGraph.Opset));

            var h = new OnnxGraphBuilder($"exit_{k}");
            graph.Exit(h, k, HiddenInput(h, config), BiasInput(h), OnnxTensorNames.Logits);
            LogitsOutput(h, config);
            exits.Add(h.ToModel(EncoderGraph.Opset));
        }

        var e = new OnnxGraphBuilder("embeddings");
        var (ids, types, attentionMask) = TokenInputs(e);
        graph.Embeddings(e, ids, types, attentionMask, OnnxTensorNames.Hidden, OnnxTensorNames.AttentionBias);
        e.Output(OnnxTensorNames.Hidden, DataType.Float, HiddenShape(config));
        e.Output(OnnxTensorNames.AttentionBias, DataType.Float, BiasShape);

        // The embeddings, layer 0 and exit 0 in one graph: a batch's first step in one ORT call.
        var f = new OnnxGraphBuilder("first");
        (ids, types, attentionMask) = TokenInputs(f);
        var (embedded, firstBias) = graph.Embeddings(f, ids, types, attentionMask, null, OnnxTensorNames.AttentionBias);
        f.Annotate(embedded, DataType.Float, HiddenShape(config)); // as in ExportFullModel
        graph.Exit(f, 0, graph.Layer(f, 0, embedded, firstBias, OnnxTensorNames.HiddenOut), firstBias, OnnxTensorNames.Logits);
        f.Output(OnnxTensorNames.HiddenOut, DataType.Float, HiddenShape(config));
        f.Output(OnnxTensorNames.AttentionBias, DataType.Float, BiasShape);
        LogitsOutput(f, config);
        return new OnnxSegments(config, e.ToModel(EncoderGraph.Opset), f.ToModel(EncoderGraph.Opset), layers.MoveToImmutable(), exits.MoveToImmutable());
    }

    /// <summary>
    /// Exports the plain classifier: embeddings, every layer and the final exit head only, in one
    /// graph (input_ids, token_type_ids, attention_mask → logits (batch, classes)). The internal
    /// heads are left out: this is the model without early exit.
    /// </summary>
    /// <param name="encoder">The model; read only.</param>
    /// <returns>The model; run it with <see cref="Runtime.OnnxClassifier"/> or any ONNX runtime.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="encoder"/> is null.</exception>
    /// <exception cref="ArgumentException">The encoder's config is not BERT's forward (an imported DistilBERT, RoBERTa, ELECTRA or ALBERT; docs/models.md).</exception>
    /// <param name="precision">Float32 (default) or int8 Linear layers (<see cref="OnnxPrecision.Int8"/>).</param>
    public static ModelProto ExportFullModel(MultiExitEncoder encoder, OnnxPrecision precision = OnnxPrecision.Float32)
    {
        var graph = new EncoderGraph(encoder, precision);
        EncoderConfig config = graph.Config;
        var g = new OnnxGraphBuilder("full");
        var (ids, types, mask) = TokenInputs(g);
        var (hidden, bias) = graph.Embeddings(g, ids, types, mask, null, null);
        // Every layer's input as (batch, sequence, hidden), as the segments declare theirs, so ORT
        // fuses the full graph as it fuses the segments (see OnnxGraphBuilder.Annotate).
        g.Annotate(hidden, DataType.Float, HiddenShape(config));
        for (int k = 0; k < config.LayerCount; k++)
        {
            hidden = graph.Layer(g, k, hidden, bias, null);
            g.Annotate(hidden, DataType.Float, HiddenShape(config));
        }
        graph.Exit(g, config.LayerCount - 1, hidden, bias, OnnxTensorNames.Logits);
        LogitsOutput(g, config);
        return g.ToModel(EncoderGraph.Opset);
    }

    private static (string Ids, string Types, string Mask) TokenInputs(OnnxGraphBuilder g) => (
        g.Input(OnnxTensorNames.InputIds, DataType.Int64, "batch", "sequence"),
        g.Input(OnnxTensorNames.TokenTypeIds, DataType.Int64, "batch", "sequence"),
        g.Input(OnnxTensorNames.AttentionMask, DataType.Int64, "batch", "sequence"));

    /// <summary>Hidden states, (batch, sequence, hidden): every segment's input and output, and each layer's in the full graph.</summary>
    private static object[] HiddenShape(EncoderConfig config) => ["batch", "sequence", (long)config.HiddenSize];

    /// <summary>The additive attention bias, (batch, 1, 1, sequence).</summary>
    private static readonly object[] BiasShape = ["batch", 1L, 1L, "sequence"];

    private static string BiasInput(OnnxGraphBuilder g) =>
        g.Input(OnnxTensorNames.AttentionBias, DataType.Float, BiasShape);

    private static string HiddenInput(OnnxGraphBuilder g, EncoderConfig config) =>
        g.Input(OnnxTensorNames.Hidden, DataType.Float, HiddenShape(config));

    private static void LogitsOutput(OnnxGraphBuilder g, EncoderConfig config) =>
        g.Output(OnnxTensorNames.Logits, DataType.Float, "batch", (long)config.ClassCount);
}
