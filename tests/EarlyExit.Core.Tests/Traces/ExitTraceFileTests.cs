using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using EarlyExit.Core.Tests.TestDoubles;
using EarlyExit.Core.Traces;
using Xunit.Abstractions;

namespace EarlyExit.Core.Tests.Traces;

public sealed class ExitTraceFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("eetrace-tests-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    // Synthetic: 2 samples × 2 exits × 3 classes, with floats that only a bit-exact copy keeps.
    private static ExitTrace Tricky() => new(
        [
            -0.0f, float.Epsilon, 1e38f,
            BitConverter.Int32BitsToSingle(0x7FC12345), // a NaN with a payload (ExitTrace stores it; signals would reject it)
            float.PositiveInfinity, -3.5f,
            0.1f, -0.2f, 0.3f,
            float.MinValue, float.MaxValue, 1.0000001f,
        ],
        [2, 0],
        2,
        ["café", "日本語", "😀 émoji"],
        [1.5e9, 3.0000000001e9],
        2.9e9);

    // Header layout: magic 8, version 4, flags 4, N 4, M 4, C 4, then the class names, the split and the data hash.
    private static int LogitsOffset(ExitTrace trace)
    {
        string[] strings = [.. trace.ClassNames, trace.Provenance?.Split ?? "", trace.Provenance?.DataHash ?? ""];
        int names = strings.Sum(n => 4 + System.Text.Encoding.UTF8.GetByteCount(n));
        int flops = trace.HasFlops ? 8 * (trace.ExitCount + 1) : 0;
        int sampleFlops = trace.HasSampleFlops ? 8 * trace.SampleCount * (trace.ExitCount + 1) : 0;
        return 28 + names + flops + sampleFlops + (4 * trace.SampleCount);
    }

    [Fact]
    public void RoundTrip_IsBitExact_IncludingFlopsAndNonAsciiNames()
    {
        var trace = Tricky();
        string path = PathOf("tricky" + ExitTraceFile.Extension);
        ExitTraceFile.Write(trace, path);
        var read = ExitTraceFile.Read(path);

        Assert.Equal(trace.SampleCount, read.SampleCount);
        Assert.Equal(trace.ExitCount, read.ExitCount);
        Assert.Equal(trace.ClassNames.ToArray(), read.ClassNames.ToArray());
        Assert.Equal(trace.Labels.ToArray(), read.Labels.ToArray());
        Assert.Equal(MemoryMarshal.Cast<float, int>(trace.AllLogits).ToArray(), MemoryMarshal.Cast<float, int>(read.AllLogits).ToArray());
        Assert.True(read.HasFlops);
        Assert.Equal(MemoryMarshal.Cast<double, long>(trace.CumulativeFlops).ToArray(), MemoryMarshal.Cast<double, long>(read.CumulativeFlops).ToArray());
        Assert.Equal(BitConverter.DoubleToInt64Bits(2.9e9), BitConverter.DoubleToInt64Bits(read.FullModelFlops));
    }

    [Fact]
    public void RoundTrip_KeepsTheSplitAndTheDataHash()
    {
        var trace = HandTraces.FourSamples().WithProvenance(new TraceProvenance("validation", "ab12"));
        string path = PathOf("provenance.eetrace");
        ExitTraceFile.Write(trace, path);

        var read = ExitTraceFile.Read(path);

        Assert.Equal(new TraceProvenance("validation", "ab12"), read.Provenance);
        Assert.Equal(trace.Labels.ToArray(), read.Labels.ToArray());
        ExitTraceFile.Write(HandTraces.FourSamples(), PathOf("none.eetrace"));
        Assert.Null(ExitTraceFile.Read(PathOf("none.eetrace")).Provenance);
    }

    [Fact]
    public void Version1File_IsReadWithoutProvenance()
    {
        // A version-1 file is a version-2 file without the two strings after the class names.
        var trace = HandTraces.FourSamples();
        string path = PathOf("v1.eetrace");
        ExitTraceFile.Write(trace, path);
        byte[] v2 = File.ReadAllBytes(path);
        int stringsEnd = 28 + trace.ClassNames.Sum(n => 4 + System.Text.Encoding.UTF8.GetByteCount(n));
        byte[] content = [.. v2.AsSpan(0, stringsEnd), .. v2.AsSpan(stringsEnd + 8, v2.Length - 32 - stringsEnd - 8)];
        BinaryPrimitives.WriteUInt32LittleEndian(content.AsSpan(8), 1);
        File.WriteAllBytes(path, [.. content, .. SHA256.HashData(content)]);

        var read = ExitTraceFile.Read(path);

        Assert.Null(read.Provenance);
        Assert.Equal(trace.SampleCount, read.SampleCount);
        Assert.Equal(MemoryMarshal.Cast<float, int>(trace.AllLogits).ToArray(), MemoryMarshal.Cast<float, int>(read.AllLogits).ToArray());
    }

    [Fact]
    public void RoundTrip_WithoutFlops()
    {
        var trace = HandTraces.FourSamples();
        string path = PathOf("four.eetrace");
        ExitTraceFile.Write(trace, path);
        var read = ExitTraceFile.Read(path);
        Assert.False(read.HasFlops);
        Assert.Equal(0.0, read.FullModelFlops);
        Assert.Equal(MemoryMarshal.Cast<float, int>(trace.AllLogits).ToArray(), MemoryMarshal.Cast<float, int>(read.AllLogits).ToArray());
    }

    [Fact]
    public void Layout_IsTheDocumentedOne()
    {
        // FourSamples: N 4, M 3, C 2, names "neg" "pos", no split or data hash (4 + 4), no FLOPs
        // → 28 + (4+3)·2 + 8 + 4·4 + 4·24 + 32 = 194 bytes.
        string path = PathOf("layout.eetrace");
        ExitTraceFile.Write(HandTraces.FourSamples(), path);
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(194, bytes.Length);
        Assert.Equal(Convert.FromHexString("89454554520D0A1A"), bytes[..8]);
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12)));
        Assert.Equal(4, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(16)));
        Assert.Equal(3, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(20)));
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(24)));
        // The checksum is plain SHA-256 of everything before it.
        Assert.Equal(SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)), bytes[^32..]);
    }

    [Fact]
    public void Write_ReplacesAnExistingFile_AndLeavesNoTemporaryFile()
    {
        string path = PathOf("replace.eetrace");
        File.WriteAllText(path, "old content");
        ExitTraceFile.Write(HandTraces.FourSamples(), path);
        Assert.Equal(4, ExitTraceFile.Read(path).SampleCount);
        Assert.Equal([path], Directory.GetFiles(_folder));
    }

    [Fact]
    public void Truncated_NamesTheShortSectionWithBothSizes()
    {
        // N 1000, M 3, C 4: logits are 1000·3·4·4 = 48,000 bytes; keep 1,234 of them.
        var trace = HandTraces.Random(1000, 3, 4, seed: 1);
        string path = PathOf("truncated.eetrace");
        ExitTraceFile.Write(trace, path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(LogitsOffset(trace) + 1234)]);

        var e = Assert.Throws<ExitTraceFormatException>(() => ExitTraceFile.Read(path));
        Assert.Equal($"'{path}' is not a valid exit-trace file: truncated: expected 48,000 bytes of logits, found 1,234", e.Message);
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void MissingChecksum_IsReportedAsTruncated()
    {
        string path = PathOf("nochecksum.eetrace");
        ExitTraceFile.Write(HandTraces.FourSamples(), path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        var e = Assert.Throws<ExitTraceFormatException>(() => ExitTraceFile.Read(path));
        Assert.Equal("truncated: expected 32 bytes of SHA-256 checksum, found 22", e.Problem);
    }

    [Fact]
    public void FlippedByte_FailsTheChecksum()
    {
        var trace = HandTraces.FourSamples();
        string path = PathOf("flipped.eetrace");
        ExitTraceFile.Write(trace, path);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[LogitsOffset(trace) + 5] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ExitTraceFormatException>(() => ExitTraceFile.Read(path));
        Assert.StartsWith("checksum mismatch: the file stores SHA-256 ", e.Problem);
        Assert.EndsWith("; the file is corrupt", e.Problem);
    }

    [Fact]
    public void BadMagic_IsRejected()
    {
        string path = PathOf("zip.eetrace");
        ExitTraceFile.Write(HandTraces.FourSamples(), path);
        byte[] bytes = File.ReadAllBytes(path);
        "PK\u0003\u0004"u8.CopyTo(bytes);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ExitTraceFormatException>(() => ExitTraceFile.Read(path));
        Assert.Equal("bad magic number 504B0304520D0A1A, expected 89454554520D0A1A", e.Problem);
    }

    [Fact]
    public void TinyFile_IsTruncatedBeforeTheMagic()
    {
        string path = PathOf("tiny.eetrace");
        File.WriteAllBytes(path, [0x89, 0x45, 0x45]);
        var e = Assert.Throws<ExitTraceFormatException>(() => ExitTraceFile.Read(path));
        Assert.Equal("truncated: expected 8 bytes of magic number, found 3", e.Problem);
    }

    [Fact]
    public void WrongVersion_IsRejected()
    {
        string path = PathOf("v4.eetrace");
        ExitTraceFile.Write(HandTraces.FourSamples(), path);
        byte[] bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 4);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ExitTraceFormatException>(() => ExitTraceFile.Read(path));
        Assert.Equal("unknown format version 4; this reader reads versions 1 to 3", e.Problem);
    }

    [Fact]
    public void UnknownFlags_AreRejected()
    {
        string path = PathOf("flags.eetrace");
        ExitTraceFile.Write(HandTraces.FourSamples(), path);
        byte[] bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), 0x5);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ExitTraceFormatException>(() => ExitTraceFile.Read(path));
        Assert.Equal("unknown flags 0x00000005; version 3 defines only 0x00000003", e.Problem);
    }

    [Fact]
    public void PerSampleFlops_RoundTripBitExact_AndVersion2FilesStillRead()
    {
        // Synthetic: Tricky's two samples with their own costs (a short and a long text).
        var trace = Tricky().WithSampleFlops([1e9, 2e9, 3.5e9, 7.0000000001e9], [1.9e9, 6.9e9]);
        string path = PathOf("samples.eetrace");
        ExitTraceFile.Write(trace, path);
        var read = ExitTraceFile.Read(path);
        Assert.True(read.HasSampleFlops);
        Assert.Equal(MemoryMarshal.Cast<double, long>(trace.SampleCumulativeFlops).ToArray(), MemoryMarshal.Cast<double, long>(read.SampleCumulativeFlops).ToArray());
        Assert.Equal(MemoryMarshal.Cast<double, long>(trace.SampleFullModelFlops).ToArray(), MemoryMarshal.Cast<double, long>(read.SampleFullModelFlops).ToArray());
        // The per-exit means are the samples': (1 + 3.5)/2 and (2 + 7.0000000001)/2 · 1e9; full (1.9 + 6.9)/2 · 1e9.
        Assert.Equal(2.25e9, read.CumulativeFlops[0]);
        Assert.Equal(4.4e9, read.FullModelFlops, 1e-3);
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(File.ReadAllBytes(path).AsSpan(12)));

        // A version-2 file is a version-3 file without flag bit 1 and its section.
        var plain = Tricky();
        ExitTraceFile.Write(plain, path);
        byte[] bytes = File.ReadAllBytes(path);
        byte[] content = bytes[..^32];
        BinaryPrimitives.WriteUInt32LittleEndian(content.AsSpan(8), 2);
        File.WriteAllBytes(path, [.. content, .. SHA256.HashData(content)]);
        var old = ExitTraceFile.Read(path);
        Assert.False(old.HasSampleFlops);
        Assert.Equal(MemoryMarshal.Cast<double, long>(plain.CumulativeFlops).ToArray(), MemoryMarshal.Cast<double, long>(old.CumulativeFlops).ToArray());
    }

    [Fact]
    public void PerSampleFlops_WithoutFlops_IsRejected()
    {
        string path = PathOf("flag2.eetrace");
        ExitTraceFile.Write(HandTraces.FourSamples(), path);
        byte[] bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), 0x2);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ExitTraceFormatException>(() => ExitTraceFile.Read(path));
        Assert.Equal("flag bit 1 (per-sample FLOPs) is set without bit 0 (FLOPs)", e.Problem);
    }

    [Theory]
    [InlineData(16, 0, "sample count N is 0; must be at least 1")]
    [InlineData(20, -3, "exit count M is -3; must be at least 1")]
    [InlineData(16, 100_000_000, "truncated: expected 400,000,000 bytes of labels, found 144")] // 194 − 28 − 14 bytes of names − 8 of split and hash
    public void AbsurdSizes_AreRejectedBeforeAllocating(int offset, int value, string problem)
    {
        string path = PathOf("absurd.eetrace");
        ExitTraceFile.Write(HandTraces.FourSamples(), path);
        byte[] bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset), value);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ExitTraceFormatException>(() => ExitTraceFile.Read(path));
        Assert.Equal(problem, e.Problem);
    }

    [Fact]
    public void MoreLogitsThanAnArrayHolds_AreRejected()
    {
        string path = PathOf("huge.eetrace");
        ExitTraceFile.Write(HandTraces.FourSamples(), path);
        byte[] bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), 1_000_000);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(20), 1_000_000);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ExitTraceFormatException>(() => ExitTraceFile.Read(path));
        Assert.StartsWith("N = 1,000,000 samples × M = 1,000,000 exits × C = 2 classes = 2,000,000,000,000 logits, more than one array holds", e.Problem);
    }

    [Fact]
    public void AbsurdClassNameLength_IsRejected()
    {
        string path = PathOf("name.eetrace");
        ExitTraceFile.Write(HandTraces.FourSamples(), path);
        byte[] bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(28), 1 << 30);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ExitTraceFormatException>(() => ExitTraceFile.Read(path));
        Assert.Equal("class name 0 claims 1,073,741,824 bytes; a name must be 0 to 65,536 bytes", e.Problem);
    }

    [Fact]
    public void TrailingBytes_AreRejected()
    {
        string path = PathOf("trailing.eetrace");
        ExitTraceFile.Write(HandTraces.FourSamples(), path);
        File.AppendAllText(path, "extra");
        var e = Assert.Throws<ExitTraceFormatException>(() => ExitTraceFile.Read(path));
        Assert.StartsWith("5 unexpected bytes after the checksum", e.Problem);
    }

    [Fact]
    public void ValidChecksumOverAnInvalidTrace_ReportsTheTraceProblem()
    {
        // A label out of range with a recomputed checksum: a writer bug, not corruption.
        var trace = HandTraces.FourSamples();
        string path = PathOf("label.eetrace");
        ExitTraceFile.Write(trace, path);
        byte[] bytes = File.ReadAllBytes(path);
        int labelsOffset = LogitsOffset(trace) - (4 * trace.SampleCount);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(labelsOffset), 9);
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ExitTraceFormatException>(() => ExitTraceFile.Read(path));
        Assert.StartsWith("the checksum matches but the trace is invalid: label of sample 0 is 9; must be in [0, 2)", e.Problem);
        Assert.IsType<ArgumentException>(e.InnerException);
    }

    [Fact]
    public void Write_RejectsAnOverlongClassName_AndLeavesNothing()
    {
        var trace = new ExitTrace([0f, 0f], [0], 1, ["a", new string('x', ExitTraceFile.MaxClassNameBytes + 1)]);
        string path = PathOf("long.eetrace");
        var e = Assert.Throws<ArgumentException>(() => ExitTraceFile.Write(trace, path));
        Assert.Contains("class name 1 is 65,537 UTF-8 bytes long; a trace file allows at most 65,536", e.Message);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void Write_RejectsAClassNameThatIsNotValidUnicode()
    {
        var trace = new ExitTrace([0f, 0f], [0], 1, ["ok", "bad\uD800"]);
        var e = Assert.Throws<ArgumentException>(() => ExitTraceFile.Write(trace, PathOf("surrogate.eetrace")));
        Assert.Contains("class name 1 is not valid Unicode", e.Message);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void BlankPath_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => ExitTraceFile.Read(" "));
        Assert.Throws<ArgumentException>(() => ExitTraceFile.Write(HandTraces.FourSamples(), ""));
    }

    [Fact]
    public void ReferenceSize_RoundTripsBitExact()
    {
        // Synthetic 100,000 × 12 × 10 trace: 48 MB of logits, the size the sweep benchmark uses.
        // Timing lives in bench/EarlyExit.Bench (trace-file), not here.
        var trace = HandTraces.Random(100_000, 12, 10, seed: 2, withFlops: true);
        string path = PathOf("big.eetrace");
        ExitTraceFile.Write(trace, path);
        var read = ExitTraceFile.Read(path);
        Assert.True(MemoryMarshal.Cast<float, int>(trace.AllLogits).SequenceEqual(MemoryMarshal.Cast<float, int>(read.AllLogits)));
        Assert.True(trace.Labels.SequenceEqual(read.Labels));
    }
}
