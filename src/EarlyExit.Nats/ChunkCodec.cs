using System.IO.Compression;
using System.Text.Json;

namespace EarlyExit.Nats;

/// <summary>
/// The wire form of the chunk, answer and dead-letter messages: JSON, gzip-compressed. JSON writes
/// every double and float in its shortest round-trip form, so an answer decoded by the submitter
/// holds the very numbers the worker computed and the output is byte-identical to a local run;
/// gzip because texts shrink about threefold and a message must fit the server's max_payload.
/// </summary>
public static class ChunkCodec
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    /// <summary>The message bytes of <paramref name="message"/>.</summary>
    public static byte[] Encode<T>(T message)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            JsonSerializer.Serialize(gzip, message, Options);
        return buffer.ToArray();
    }

    /// <summary>The message in <paramref name="bytes"/>.</summary>
    /// <exception cref="ChunkFormatException">The bytes are not a gzip-compressed JSON <typeparamref name="T"/>.</exception>
    public static T Decode<T>(ReadOnlySpan<byte> bytes) where T : class
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(bytes.ToArray()), CompressionMode.Decompress);
            return JsonSerializer.Deserialize<T>(gzip, Options) ?? throw new ChunkFormatException($"the message is JSON null, not a {typeof(T).Name}");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or NotSupportedException)
        {
            throw new ChunkFormatException($"the message is not a {typeof(T).Name} this earlyexit wrote: {e.Message}", e);
        }
    }
}

/// <summary>A message on the work or results stream that cannot be read.</summary>
public sealed class ChunkFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ChunkFormatException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public ChunkFormatException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ChunkFormatException() : base("the message cannot be read")
    {
    }
}
