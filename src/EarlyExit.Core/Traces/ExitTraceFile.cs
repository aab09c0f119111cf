using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using EarlyExit.Core.IO;

namespace EarlyExit.Core.Traces;

/// <summary>
/// Reads and writes an <see cref="ExitTrace"/> as a compact binary file (extension
/// <see cref="Extension"/>), so a model's exits are computed once and every policy is replayed
/// offline from the file.
/// </summary>
/// <remarks>
/// <para>Format version 3, every number little-endian:</para>
/// <code>
/// offset  bytes        field
/// 0       8            magic 89 45 45 54 52 0D 0A 1A  ("\x89EETR\r\n\x1A", PNG-style: a text-mode
///                      transfer that rewrites line ends or stops at ^Z breaks it visibly)
/// 8       4            format version, uint32 (3)
/// 12      4            flags, uint32: bit 0 = FLOPs present, bit 1 = per-sample FLOPs present
///                      (only with bit 0); every other bit must be 0
/// 16      4            N, samples, int32 ≥ 1
/// 20      4            M, exits, int32 ≥ 1
/// 24      4            C, classes, int32 ≥ 1
/// 28      …            C class names, each an int32 byte length (≤ 65,536) then that many UTF-8 bytes
///         …            the split's name, then the data's hash, each a string as a class name is;
///                      both empty when the trace does not say (<see cref="ExitTrace.Provenance"/>)
///         8 + 8·M      only with flag bit 0: full-model FLOPs, then M cumulative FLOPs (float64)
///         8·N + 8·N·M  only with flag bit 1: each sample's full-model FLOPs, then its M cumulative
///                      FLOPs, row-major [sample][exit] (float64); the means above are theirs
///         4·N          labels, int32
///         4·N·M·C      logits, float32, row-major [sample][exit][class]
///         32           SHA-256 of every byte before it
/// </code>
/// <para>Version 2 is version 3 without flag bit 1 (no per-sample FLOPs); version 1 is version 2
/// without the split and the data hash. Both are still read: a version 1 trace has a null
/// <see cref="ExitTrace.Provenance"/>, so a cache can tell it was recorded by an older earlyexit and
/// record it again.</para>
/// <para>Floats are stored bit for bit (NaN payloads and −0 survive a round trip). The checksum
/// is SHA-256 from the base class library: no package, no native dependency of our own, and the
/// file can be checked with any sha256 tool (hash all but the last 32 bytes).</para>
/// <para>Writing is atomic: the file is written to a temporary file in the same folder, flushed
/// to disk, then moved over the destination, so a reader never sees half a file.</para>
/// </remarks>
public static class ExitTraceFile
{
    /// <summary>The usual file extension, ".eetrace".</summary>
    public const string Extension = ".eetrace";

    /// <summary>The format version this code writes; it reads this one, 2 (no per-sample FLOPs) and 1 (no provenance).</summary>
    public const uint FormatVersion = 3;

    private const uint VersionWithoutProvenance = 1;
    private const uint VersionWithoutSampleFlops = 2;

    /// <summary>The longest class name, in UTF-8 bytes, a file may hold (65,536).</summary>
    public const int MaxClassNameBytes = 1 << 16;

    private const uint FlagHasFlops = 1;
    private const uint FlagHasSampleFlops = 2;
    private const int FixedHeaderBytes = 28;
    private const int ChecksumBytes = 32; // SHA-256
    private const int CopyChunkBytes = 1 << 20;

    private static ReadOnlySpan<byte> Magic => [0x89, (byte)'E', (byte)'E', (byte)'T', (byte)'R', 0x0D, 0x0A, 0x1A];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Writes <paramref name="trace"/> to <paramref name="path"/> atomically, replacing any file there.</summary>
    /// <param name="trace">The trace to store.</param>
    /// <param name="path">Destination file; its folder must exist.</param>
    /// <exception cref="ArgumentNullException"><paramref name="trace"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or blank, or a class name is
    /// longer than <see cref="MaxClassNameBytes"/> in UTF-8 or not valid Unicode.</exception>
    /// <exception cref="IOException">The file cannot be written; no partial file is left behind.</exception>
    public static void Write(ExitTrace trace, string path)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[][] names = EncodeClassNames(trace);
        byte[][] provenance = [
            Encode(trace.Provenance?.Split ?? "", "the split's name", nameof(trace)),
            Encode(trace.Provenance?.DataHash ?? "", "the data hash", nameof(trace)),
        ];
        AtomicFile.Write(path, stream =>
        {
            using var writer = new HashingWriter(stream);
            WriteContent(trace, [.. names, .. provenance], writer);
            stream.Write(writer.Finish());
        });
    }

    /// <summary>Reads a trace written by <see cref="Write"/> (or by an older earlyexit, format version 1, whose
    /// trace has no <see cref="ExitTrace.Provenance"/>), checking every size and the checksum.</summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The trace, equal bit for bit to the one written.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or blank.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="ExitTraceFormatException">The file is not a valid exit-trace file; the message says why.</exception>
    public static ExitTrace Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var reader = new HashingReader(stream, path);
        return ReadContent(reader);
    }

    private static byte[][] EncodeClassNames(ExitTrace trace)
    {
        var names = new byte[trace.ClassCount][];
        for (int c = 0; c < names.Length; c++)
            names[c] = Encode(trace.ClassNames[c], $"class name {c}", nameof(trace));
        return names;
    }

    private static byte[] Encode(string text, string what, string parameterName)
    {
        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"{what} is not valid Unicode (a lone surrogate?); it cannot be stored as UTF-8", parameterName, e);
        }
        if (bytes.Length > MaxClassNameBytes)
            throw new ArgumentException(
                $"{what} is {bytes.Length:N0} UTF-8 bytes long; a trace file allows at most {MaxClassNameBytes:N0}", parameterName);
        return bytes;
    }

    // strings: the class names, then the split's name and the data hash.
    private static void WriteContent(ExitTrace trace, byte[][] strings, HashingWriter writer)
    {
        Span<byte> header = stackalloc byte[FixedHeaderBytes];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], FormatVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (trace.HasFlops ? FlagHasFlops : 0) | (trace.HasSampleFlops ? FlagHasSampleFlops : 0));
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], trace.SampleCount);
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], trace.ExitCount);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], trace.ClassCount);
        writer.Write(header);

        Span<byte> scalar = stackalloc byte[8];
        foreach (byte[] name in strings)
        {
            BinaryPrimitives.WriteInt32LittleEndian(scalar, name.Length);
            writer.Write(scalar[..4]);
            writer.Write(name);
        }
        if (trace.HasFlops)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(scalar, trace.FullModelFlops);
            writer.Write(scalar);
            foreach (double flops in trace.CumulativeFlops)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(scalar, flops);
                writer.Write(scalar);
            }
        }
        if (trace.HasSampleFlops)
        {
            writer.WriteInt64s(MemoryMarshal.Cast<double, long>(trace.SampleFullModelFlops));
            writer.WriteInt64s(MemoryMarshal.Cast<double, long>(trace.SampleCumulativeFlops));
        }
        writer.WriteInt32s(trace.Labels);
        writer.WriteInt32s(MemoryMarshal.Cast<float, int>(trace.AllLogits));
    }

    private static ExitTrace ReadContent(HashingReader reader)
    {
        reader.Require(Magic.Length, "magic number");
        Span<byte> header = stackalloc byte[FixedHeaderBytes];
        reader.ReadExactly(header[..Magic.Length]);
        if (!header[..Magic.Length].SequenceEqual(Magic))
            throw reader.Fail($"bad magic number {Convert.ToHexString(header[..Magic.Length])}, expected {Convert.ToHexString(Magic)}");
        reader.Require(FixedHeaderBytes - Magic.Length, "header");
        reader.ReadExactly(header[Magic.Length..]);
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (version is not (FormatVersion or VersionWithoutSampleFlops or VersionWithoutProvenance))
            throw reader.Fail($"unknown format version {version}; this reader reads versions {VersionWithoutProvenance} to {FormatVersion}");
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        uint knownFlags = version == FormatVersion ? FlagHasFlops | FlagHasSampleFlops : FlagHasFlops;
        if ((flags & ~knownFlags) != 0)
            throw reader.Fail($"unknown flags 0x{flags:X8}; version {version} defines only 0x{knownFlags:X8}");
        if ((flags & FlagHasSampleFlops) != 0 && (flags & FlagHasFlops) == 0)
            throw reader.Fail("flag bit 1 (per-sample FLOPs) is set without bit 0 (FLOPs)");
        int samples = BinaryPrimitives.ReadInt32LittleEndian(header[16..]);
        int exits = BinaryPrimitives.ReadInt32LittleEndian(header[20..]);
        int classes = BinaryPrimitives.ReadInt32LittleEndian(header[24..]);
        RequirePositive(reader, samples, "sample count N");
        RequirePositive(reader, exits, "exit count M");
        RequirePositive(reader, classes, "class count C");
        long logitCount = (long)samples * exits * classes;
        if (logitCount > Array.MaxLength)
            throw reader.Fail(string.Create(CultureInfo.InvariantCulture,
                $"N = {samples:N0} samples × M = {exits:N0} exits × C = {classes:N0} classes = {logitCount:N0} logits, more than one array holds ({Array.MaxLength:N0})"));

        // Each name takes at least its 4-byte length: check before allocating C of them.
        reader.Require(4L * classes, "class-name lengths");
        var classNames = new string[classes];
        for (int c = 0; c < classes; c++)
            classNames[c] = ReadString(reader, $"class name {c}");
        TraceProvenance? provenance = null;
        if (version != VersionWithoutProvenance)
        {
            string split = ReadString(reader, "the split's name"), dataHash = ReadString(reader, "the data hash");
            provenance = split.Length == 0 && dataHash.Length == 0 ? null : new TraceProvenance(split, dataHash);
        }

        Span<byte> scalar = stackalloc byte[8];
        bool hasFlops = (flags & FlagHasFlops) != 0;
        double fullModelFlops = 0;
        double[] cumulativeFlops = [];
        if (hasFlops)
        {
            reader.Require(8L * (exits + 1), "FLOPs");
            reader.ReadExactly(scalar);
            fullModelFlops = BinaryPrimitives.ReadDoubleLittleEndian(scalar);
            cumulativeFlops = new double[exits];
            for (int m = 0; m < exits; m++)
            {
                reader.ReadExactly(scalar);
                cumulativeFlops[m] = BinaryPrimitives.ReadDoubleLittleEndian(scalar);
            }
        }

        // Everything left has a known size now: name the first section the file is short of.
        bool hasSampleFlops = (flags & FlagHasSampleFlops) != 0;
        long sampleFlopBytes = hasSampleFlops ? 8L * samples * (exits + 1) : 0;
        if (hasSampleFlops && (long)samples * exits > Array.MaxLength)
            throw reader.Fail($"N = {samples:N0} × M = {exits:N0} per-sample FLOPs are more than one array holds");
        long labelBytes = 4L * samples, logitBytes = 4L * logitCount;
        reader.RequireSections(("per-sample FLOPs", sampleFlopBytes), ("labels", labelBytes), ("logits", logitBytes), ("SHA-256 checksum", ChecksumBytes));
        long expectedRest = sampleFlopBytes + labelBytes + logitBytes + ChecksumBytes;
        if (reader.Remaining > expectedRest)
            throw reader.Fail(string.Create(CultureInfo.InvariantCulture,
                $"{reader.Remaining - expectedRest:N0} unexpected bytes after the checksum (N = {samples}, M = {exits}, C = {classes} make a file of {reader.Position + expectedRest:N0} bytes)"));

        double[] sampleFull = hasSampleFlops ? new double[samples] : [];
        double[] sampleFlops = hasSampleFlops ? new double[(long)samples * exits] : [];
        reader.ReadInt64s(MemoryMarshal.Cast<double, long>(sampleFull.AsSpan()));
        reader.ReadInt64s(MemoryMarshal.Cast<double, long>(sampleFlops.AsSpan()));
        var labels = new int[samples];
        reader.ReadInt32s(labels);
        var logits = new float[logitCount];
        reader.ReadInt32s(MemoryMarshal.Cast<float, int>(logits.AsSpan()));
        reader.VerifyChecksum();

        try
        {
            var trace = new ExitTrace(logits, labels, exits, classNames, cumulativeFlops, fullModelFlops).WithProvenance(provenance);
            return hasSampleFlops ? trace.WithSampleFlops(sampleFlops, sampleFull) : trace;
        }
        catch (ArgumentException e)
        {
            throw reader.Fail($"the checksum matches but the trace is invalid: {e.Message}", e);
        }
    }

    /// <summary>An int32 byte length (0 to <see cref="MaxClassNameBytes"/>), then that many bytes of UTF-8.</summary>
    private static string ReadString(HashingReader reader, string what)
    {
        Span<byte> prefix = stackalloc byte[4];
        reader.Require(4, $"{what}'s length");
        reader.ReadExactly(prefix);
        int length = BinaryPrimitives.ReadInt32LittleEndian(prefix);
        if (length < 0 || length > MaxClassNameBytes)
            throw reader.Fail(string.Create(CultureInfo.InvariantCulture,
                $"{what} claims {length:N0} bytes; a name must be 0 to {MaxClassNameBytes:N0} bytes"));
        reader.Require(length, what);
        byte[] bytes = new byte[length];
        reader.ReadExactly(bytes);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw reader.Fail($"{what} is not valid UTF-8", e);
        }
    }

    private static void RequirePositive(HashingReader reader, int value, string what)
    {
        if (value < 1)
            throw reader.Fail(string.Create(CultureInfo.InvariantCulture, $"{what} is {value}; must be at least 1"));
    }

    /// <summary>BinaryPrimitives.ReverseEndianness for one element type.</summary>
    private delegate void Reverse<T>(ReadOnlySpan<T> source, Span<T> destination);

    /// <summary>Writes to a stream and hashes everything written.</summary>
    private sealed class HashingWriter(Stream stream) : IDisposable
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public void Write(ReadOnlySpan<byte> bytes)
        {
            stream.Write(bytes);
            _hash.AppendData(bytes);
        }

        /// <summary>Writes 32-bit values little-endian, converting in chunks on a big-endian machine.</summary>
        public void WriteInt32s(ReadOnlySpan<int> values) => WriteLittleEndian(values, BinaryPrimitives.ReverseEndianness);

        /// <summary>Writes 64-bit values little-endian (the per-sample FLOPs' bit patterns).</summary>
        public void WriteInt64s(ReadOnlySpan<long> values) => WriteLittleEndian(values, BinaryPrimitives.ReverseEndianness);

        private void WriteLittleEndian<T>(ReadOnlySpan<T> values, Reverse<T> reverse) where T : unmanaged
        {
            if (BitConverter.IsLittleEndian)
            {
                Write(MemoryMarshal.AsBytes(values));
                return;
            }
            T[] chunk = new T[Math.Min(values.Length, CopyChunkBytes / System.Runtime.CompilerServices.Unsafe.SizeOf<T>())];
            for (int start = 0; start < values.Length; start += chunk.Length)
            {
                var source = values.Slice(start, Math.Min(chunk.Length, values.Length - start));
                reverse(source, chunk.AsSpan(0, source.Length));
                Write(MemoryMarshal.AsBytes(chunk.AsSpan(0, source.Length)));
            }
        }

        public byte[] Finish() => _hash.GetHashAndReset();

        public void Dispose() => _hash.Dispose();
    }

    /// <summary>Reads from a stream of known length, hashing everything read, and words the errors.</summary>
    private sealed class HashingReader(FileStream stream, string path) : IDisposable
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly long _length = stream.Length;

        public long Position { get; private set; }

        public long Remaining => _length - Position;

        /// <summary>Throws "truncated" unless <paramref name="bytes"/> more bytes are in the file.</summary>
        public void Require(long bytes, string what) => RequireSections((what, bytes));

        /// <summary>Throws "truncated", naming the first section that is short, unless the file holds them all.</summary>
        public void RequireSections(params ReadOnlySpan<(string What, long Bytes)> sections)
        {
            long available = Remaining;
            foreach (var (what, bytes) in sections)
            {
                if (available < bytes)
                    throw Fail(string.Create(CultureInfo.InvariantCulture, $"truncated: expected {bytes:N0} bytes of {what}, found {available:N0}"));
                available -= bytes;
            }
        }

        public void ReadExactly(Span<byte> destination)
        {
            try
            {
                stream.ReadExactly(destination);
            }
            catch (EndOfStreamException e)
            {
                // Only when the file shrinks while it is read: Require checked the length.
                throw Fail($"the file ended early at byte {Position:N0} (was it changed while being read?)", e);
            }
            _hash.AppendData(destination);
            Position += destination.Length;
        }

        /// <summary>Reads 32-bit little-endian values in place, fixing the byte order on a big-endian machine.</summary>
        public void ReadInt32s(Span<int> destination)
        {
            ReadChunked(MemoryMarshal.AsBytes(destination));
            if (!BitConverter.IsLittleEndian)
                BinaryPrimitives.ReverseEndianness(destination, destination);
        }

        public void ReadInt64s(Span<long> destination)
        {
            ReadChunked(MemoryMarshal.AsBytes(destination));
            if (!BitConverter.IsLittleEndian)
                BinaryPrimitives.ReverseEndianness(destination, destination);
        }

        private void ReadChunked(Span<byte> bytes)
        {
            for (int start = 0; start < bytes.Length; start += CopyChunkBytes)
                ReadExactly(bytes.Slice(start, Math.Min(CopyChunkBytes, bytes.Length - start)));
        }

        public void VerifyChecksum()
        {
            byte[] computed = _hash.GetHashAndReset();
            Span<byte> stored = stackalloc byte[ChecksumBytes];
            stream.ReadExactly(stored);
            Position += ChecksumBytes;
            if (!stored.SequenceEqual(computed))
                throw Fail($"checksum mismatch: the file stores SHA-256 {Convert.ToHexString(stored)} but its content hashes to {Convert.ToHexString(computed)}; the file is corrupt");
        }

        public ExitTraceFormatException Fail(string problem, Exception? inner = null) => new(path, problem, inner);

        public void Dispose() => _hash.Dispose();
    }
}
