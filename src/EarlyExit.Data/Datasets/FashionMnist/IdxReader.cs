using System.Buffers.Binary;
using System.IO.Compression;

namespace EarlyExit.Data.Datasets.FashionMnist;

/// <summary>
/// Reads IDX files (LeCun et al., the MNIST format): two zero bytes, a type byte (0x08 for
/// unsigned bytes, the only type (Fashion-)MNIST uses), the number of dimensions, each dimension
/// as a big-endian 32-bit integer, then the values row-major.
/// </summary>
internal static class IdxReader
{
    private const byte UnsignedByteType = 0x08;

    /// <summary>Reads a gzip-compressed IDX file of unsigned bytes.</summary>
    /// <exception cref="InvalidDataException">The header is not IDX of unsigned bytes, or the data is short or too long.</exception>
    internal static IdxFile ReadGzip(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        return Read(gzip, path);
    }

    /// <summary>Reads an IDX file of unsigned bytes from <paramref name="stream"/>.</summary>
    /// <param name="stream">The uncompressed IDX bytes.</param>
    /// <param name="source">Name for error messages.</param>
    internal static IdxFile Read(Stream stream, string source)
    {
        Span<byte> magic = stackalloc byte[4];
        ReadExactly(stream, magic, source, "the header");
        if (magic[0] != 0 || magic[1] != 0 || magic[2] != UnsignedByteType || magic[3] is 0 or > 4)
        {
            throw new InvalidDataException(
                $"{source} is not an IDX file of unsigned bytes: header {Convert.ToHexString(magic)}, expected 0000 08 then 1–4 dimensions");
        }

        var dimensions = new int[magic[3]];
        Span<byte> word = stackalloc byte[4];
        long count = 1;
        for (var d = 0; d < dimensions.Length; d++)
        {
            ReadExactly(stream, word, source, $"dimension {d}");
            dimensions[d] = BinaryPrimitives.ReadInt32BigEndian(word);
            count *= dimensions[d];
            if (dimensions[d] < 0 || count > Array.MaxLength)
            {
                throw new InvalidDataException($"{source} has an impossible dimension {d}: {dimensions[d]}");
            }
        }

        var data = new byte[count];
        ReadExactly(stream, data, source, $"the {count} values");
        if (stream.ReadByte() != -1)
        {
            throw new InvalidDataException($"{source} has bytes after the {count} values its header announces");
        }

        return new IdxFile(dimensions, data);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string source, string what)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{source} ends before {what}", e);
        }
    }
}
