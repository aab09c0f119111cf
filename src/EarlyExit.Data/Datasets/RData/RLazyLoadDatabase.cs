using System.Buffers.Binary;
using System.IO.Compression;
using SharpCompress.Compressors.LZMA;

namespace EarlyExit.Data.Datasets.RData;

/// <summary>
/// An R lazy-load database: the <c>data/Rdata.rdx</c> index and <c>data/Rdata.rdb</c> entries that
/// an installed R package keeps its data sets in ("R Internals", §1.9). The index is a gzipped
/// serialized list whose <c>variables</c> item maps each object name to (offset, length) in the
/// .rdb. Each entry is a 4-byte big-endian uncompressed length, a type byte ('Z' xz/LZMA2, '0'
/// stored, or zlib without a type byte when the index says <c>compressed = 1</c>), then the
/// compressed serialization of the object.
/// </summary>
internal sealed class RLazyLoadDatabase
{
    // R writes 'Z' entries as a raw LZMA2 chunk stream (no .xz container) with preset 9,
    // whose dictionary is 64 MiB. LZMA2 encodes a dictionary size in one byte as
    // (2 | (b & 1)) << (b / 2 + 11); b = 28 gives 2 << 25 = 64 MiB. A smaller window fails on
    // entries whose matches reach further back.
    private const byte Lzma2DictionaryByte = 28;

    private readonly string _rdbPath;
    private readonly int _compression;
    private readonly IReadOnlyDictionary<string, (long Offset, int Length)> _index;

    private RLazyLoadDatabase(string rdbPath, int compression, IReadOnlyDictionary<string, (long Offset, int Length)> index)
    {
        _rdbPath = rdbPath;
        _compression = compression;
        _index = index;
    }

    /// <summary>The names of the objects in the database.</summary>
    internal IEnumerable<string> Names => _index.Keys;

    /// <summary>Opens a database from its index (<paramref name="rdxPath"/>) and entries (<paramref name="rdbPath"/>).</summary>
    /// <exception cref="InvalidDataException">The index is not what R writes.</exception>
    internal static RLazyLoadDatabase Open(string rdxPath, string rdbPath)
    {
        byte[] serialized;
        using (var gzip = new GZipStream(File.OpenRead(rdxPath), CompressionMode.Decompress))
        using (var buffer = new MemoryStream())
        {
            gzip.CopyTo(buffer);
            serialized = buffer.ToArray();
        }

        var root = RSerializationReader.Read(serialized, rdxPath) as RValue.List
            ?? throw new InvalidDataException($"{rdxPath} is not a list");
        var rootNames = (root.Attribute("names") as RValue.Strings)?.Values ?? [];
        var variables = Item(root, rootNames, "variables", rdxPath) as RValue.List
            ?? throw new InvalidDataException($"{rdxPath}: 'variables' is not a list");
        var variableNames = (variables.Attribute("names") as RValue.Strings)?.Values
            ?? throw new InvalidDataException($"{rdxPath}: 'variables' has no names");
        var compression = Item(root, rootNames, "compressed", rdxPath) switch
        {
            RValue.Integers { Values: [var c] } => c,
            RValue.Logicals { Values: [var c] } => c,
            RValue.Doubles { Values: [var c] } => (int)c,
            _ => throw new InvalidDataException($"{rdxPath}: 'compressed' is not a single number"),
        };

        var index = new Dictionary<string, (long, int)>(StringComparer.Ordinal);
        for (var i = 0; i < variables.Items.Length; i++)
        {
            var position = variables.Items[i] switch
            {
                RValue.Integers { Values: [var offset, var length] } => ((long)offset, length),
                RValue.Doubles { Values: [var offset, var length] } => ((long)offset, (int)length),
                _ => throw new InvalidDataException($"{rdxPath}: the position of '{variableNames[i]}' is not (offset, length)"),
            };
            index[variableNames[i] ?? ""] = position;
        }

        return new RLazyLoadDatabase(rdbPath, compression, index);
    }

    /// <summary>Reads and decodes the object <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">There is no such object (the message lists those there are).</exception>
    /// <exception cref="InvalidDataException">The entry is corrupt or uses an unsupported compression.</exception>
    internal RValue Read(string name)
    {
        if (!_index.TryGetValue(name, out var position))
        {
            throw new KeyNotFoundException($"{_rdbPath} has no object '{name}'; it has: {string.Join(", ", _index.Keys.Order(StringComparer.Ordinal))}");
        }

        var entry = new byte[position.Length];
        using (var rdb = File.OpenRead(_rdbPath))
        {
            rdb.Seek(position.Offset, SeekOrigin.Begin);
            rdb.ReadExactly(entry);
        }

        var source = $"{_rdbPath} entry '{name}'";
        return RSerializationReader.Read(Decompress(entry, source), source);
    }

    private byte[] Decompress(byte[] entry, string source)
    {
        if (entry.Length < 5)
        {
            throw new InvalidDataException($"{source} is {entry.Length} bytes, too short for a header");
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(entry);
        var output = new byte[length];
        if (_compression == 1)
        {
            // compress = 1: zlib right after the length, no type byte.
            using var zlib = new ZLibStream(new MemoryStream(entry, 4, entry.Length - 4), CompressionMode.Decompress);
            zlib.ReadExactly(output);
            return output;
        }

        var type = (char)entry[4];
        switch (type)
        {
            case '0':
                return entry.AsSpan(5, length).ToArray();
            case 'Z':
                using (var lzma = LzmaStream.Create(
                    [Lzma2DictionaryByte], new MemoryStream(entry, 5, entry.Length - 5), entry.Length - 5, length, null, isLzma2: true))
                {
                    lzma.ReadExactly(output);
                }

                return output;
            default:
                throw new InvalidDataException($"{source} uses compression type '{type}'; only 'Z' (xz), '0' (none) and zlib are supported");
        }
    }

    private static RValue Item(RValue.List list, string?[] names, string name, string source)
    {
        var i = Array.IndexOf(names, name);
        return i >= 0 && i < list.Items.Length ? list.Items[i] : throw new InvalidDataException($"{source} has no '{name}' item");
    }
}
