using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;
using static TorchSharp.torch;

namespace EarlyExit.Onnx.Runtime;

/// <summary>
/// ORT values over the memory of TorchSharp CPU tensors: ORT reads its inputs from, and writes its
/// outputs into, the tensors the runtime's <c>ExitBatchState</c> holds, so no data is copied
/// between the two libraries.
/// </summary>
internal static class TensorValues
{
    /// <summary>
    /// An ORT value sharing <paramref name="tensor"/>'s memory. The tensor must be a contiguous CPU
    /// tensor of float32 or int64 and must outlive the value (dispose the value first).
    /// </summary>
    internal static unsafe OrtValue Wrap(Tensor tensor)
    {
        if (tensor.device_type != TorchSharp.DeviceType.CPU || !tensor.is_contiguous())
            throw new ArgumentException($"an ORT value can share only a contiguous CPU tensor's memory; got {tensor.device} (contiguous: {tensor.is_contiguous()})", nameof(tensor));
        TensorElementType type = tensor.dtype switch
        {
            ScalarType.Float32 => TensorElementType.Float,
            ScalarType.Int64 => TensorElementType.Int64,
            _ => throw new ArgumentException($"tensor must be float32 or int64; got {tensor.dtype}", nameof(tensor)),
        };
        Span<byte> bytes = tensor.bytes;
        var data = (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetReference(bytes));
        return OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, type, tensor.shape, data, bytes.Length);
    }

    /// <summary>
    /// An ORT input value over a read-only int64 array (a <c>TokenBatch</c>'s ids, token types or
    /// mask), without a copy: ORT only reads its inputs, so sharing read-only memory is safe.
    /// </summary>
    internal static OrtValue ReadOnly(ReadOnlyMemory<long> values, long[] shape) =>
        OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, MemoryMarshal.AsMemory(values), shape);
}
