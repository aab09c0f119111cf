using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EarlyExit.Core.IO;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Import;

/// <summary>
/// Reads and writes the safetensors format (8-byte little-endian header length, a JSON header of
/// dtype, shape and byte offsets per tensor, then the bytes) without a dependency, so F16 and BF16
/// files can be widened to float32 and a bad header reported by key.
/// </summary>
internal static class SafetensorsFile
{
    /// <summary>Reads every tensor as float32 (F32, F16 and BF16 accepted; F64 narrowed).</summary>
    /// <param name="path">The file.</param>
    /// <param name="fail">Makes the exception for a one-line message.</param>
    internal static Dictionary<string, Tensor> Read(string path, Func<string, Exception> fail)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw fail($"{path} is {bytes.Length} bytes, too short for a safetensors header");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8)) throw fail($"{path} declares a {headerLength}-byte header but has {bytes.Length} bytes");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength)) as JsonObject
                ?? throw fail($"{path} has a safetensors header that is not a JSON object");
        }
        catch (JsonException e)
        {
            throw fail($"{path} has a safetensors header that is not valid JSON: {e.Message}");
        }
        int dataStart = 8 + (int)headerLength;
        long dataLength = bytes.Length - dataStart;
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, node) in header)
        {
            if (key == "__metadata__") continue;
            try
            {
                string dtype = node!["dtype"]!.GetValue<string>();
                long[] shape = [.. node["shape"]!.AsArray().Select(d => d!.GetValue<long>())];
                long[] offsets = [.. node["data_offsets"]!.AsArray().Select(d => d!.GetValue<long>())];
                int size = dtype switch { "F32" => 4, "F16" or "BF16" => 2, "F64" => 8, _ => 0 };
                if (size == 0) throw fail($"{path}: tensor {key} has dtype {dtype}; only F32, F16, BF16 and F64 weights are read");
                long count = shape.Aggregate(1L, (a, b) => a * b);
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] > dataLength || offsets[1] - offsets[0] != count * size)
                    throw fail($"{path}: tensor {key} ({dtype} [{string.Join(", ", shape)}]) has byte range [{string.Join(", ", offsets)}] that does not fit its shape or the file's {dataLength} data bytes");
                ReadOnlySpan<byte> raw = bytes.AsSpan(dataStart + (int)offsets[0], (int)(count * size));
                var values = new float[count];
                switch (dtype)
                {
                    case "F32": MemoryMarshal.Cast<byte, float>(raw).CopyTo(values); break;
                    case "F64": { var d = MemoryMarshal.Cast<byte, double>(raw); for (int i = 0; i < values.Length; i++) values[i] = (float)d[i]; break; }
                    case "F16": { var h = MemoryMarshal.Cast<byte, Half>(raw); for (int i = 0; i < values.Length; i++) values[i] = (float)h[i]; break; }
                    default: // BF16 is float32's upper 16 bits
                        { var u = MemoryMarshal.Cast<byte, ushort>(raw); for (int i = 0; i < values.Length; i++) values[i] = BitConverter.Int32BitsToSingle(u[i] << 16); break; }
                }
                result[key] = tensor(values, shape);
            }
            catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException)
            {
                throw fail($"{path}: tensor {key} has a malformed header entry ({e.Message})");
            }
        }
        return result;
    }

    /// <summary>Writes float32 tensors under their names, sorted, atomically.</summary>
    internal static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors)
    {
        var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (string key in tensors.Keys.Order(StringComparer.Ordinal))
        {
            Tensor t = tensors[key];
            float[] values = t.to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
            byte[] raw = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
            header[key] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray([.. t.shape.Select(d => (JsonNode)d)]),
                ["data_offsets"] = new JsonArray(offset, offset + raw.Length),
            };
            blobs.Add(raw);
            offset += raw.Length;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8; // the format pads the header with spaces to 8 bytes
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(json);
            for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (byte[] b in blobs) stream.Write(b);
        });
    }
}
