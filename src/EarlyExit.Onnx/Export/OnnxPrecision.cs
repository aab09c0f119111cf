namespace EarlyExit.Onnx.Export;

/// <summary>How the exporter writes the Linear layers (attention projections, feed-forward, exit heads).</summary>
public enum OnnxPrecision
{
    /// <summary>float32 MatMul + Add: the model's own numbers.</summary>
    Float32,

    /// <summary>
    /// int8 weights quantized symmetrically per output channel, activations quantized dynamically
    /// (per tensor, uint8, per call), bias in float: ONNX Runtime's DynamicQuantizeMatMul contrib op,
    /// what its own dynamic quantization produces and its CPU provider runs fastest. The attention
    /// products (Q·Kᵀ, P·V), embeddings and LayerNorms stay float32.
    /// </summary>
    Int8,
}
