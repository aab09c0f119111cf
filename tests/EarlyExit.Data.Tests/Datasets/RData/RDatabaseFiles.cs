using System.Buffers.Binary;
using System.IO.Compression;

namespace EarlyExit.Data.Tests.Datasets.RData;

/// <summary>Writes a synthetic R lazy-load database (.rdx index and .rdb entries) into a temp folder.</summary>
public static class RDatabaseFiles
{
    /// <summary>The entry encodings R uses; Lzma2 is a single uncompressed LZMA2 chunk (valid LZMA2 without an encoder).</summary>
    public enum Entry { Lzma2, Stored, Zlib }

    internal static (string Rdx, string Rdb) Write(string folder, Entry encoding, params (string Name, byte[] Serialized)[] objects)
    {
        var rdb = new MemoryStream();
        var positions = new List<(int Offset, int Length)>();
        Span<byte> length = stackalloc byte[4];
        foreach (var (_, serialized) in objects)
        {
            var start = (int)rdb.Position;
            BinaryPrimitives.WriteInt32BigEndian(length, serialized.Length);
            rdb.Write(length);
            switch (encoding)
            {
                case Entry.Lzma2:
                    // Type 'Z', then LZMA2 chunks: control 0x01 = uncompressed chunk with a dictionary
                    // reset, its size − 1 as 2 bytes big-endian (≤ 64 KiB per chunk), the bytes; 0x00 ends.
                    rdb.WriteByte((byte)'Z');
                    for (var offset = 0; offset < serialized.Length; offset += 65536)
                    {
                        var size = Math.Min(65536, serialized.Length - offset);
                        rdb.WriteByte(offset == 0 ? (byte)0x01 : (byte)0x02);
                        rdb.WriteByte((byte)((size - 1) >> 8));
                        rdb.WriteByte((byte)(size - 1));
                        rdb.Write(serialized, offset, size);
                    }

                    rdb.WriteByte(0x00);
                    break;
                case Entry.Stored:
                    rdb.WriteByte((byte)'0');
                    rdb.Write(serialized);
                    break;
                case Entry.Zlib:
                    using (var zlib = new ZLibStream(rdb, CompressionLevel.Fastest, leaveOpen: true))
                    {
                        zlib.Write(serialized);
                    }

                    break;
            }

            positions.Add((start, (int)rdb.Position - start));
        }

        var index = RWriter.Serialize(w => w.List(
            [
                v => v.List([.. positions.Select(p => (Action<RWriter>)(x => x.Integers(13, [p.Offset, p.Length])))], ("names", n => n.Strings([.. objects.Select(o => o.Name)]))),
                r => r.List([]),
                c => c.Integers(13, [encoding == Entry.Zlib ? 1 : 3]),
            ],
            ("names", n => n.Strings(["variables", "references", "compressed"]))));

        var rdxPath = Path.Combine(folder, "Rdata.rdx");
        var rdbPath = Path.Combine(folder, "Rdata.rdb");
        using (var gzip = new GZipStream(File.Create(rdxPath), CompressionLevel.Fastest))
        {
            gzip.Write(index);
        }

        File.WriteAllBytes(rdbPath, rdb.ToArray());
        return (rdxPath, rdbPath);
    }
}
