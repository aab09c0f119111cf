using EarlyExit.Data.Datasets.FashionMnist;

namespace EarlyExit.Data.Tests.Datasets.FashionMnist;

// Synthetic IDX bytes.
public sealed class IdxReaderTests
{
    [Fact]
    public void Read_ParsesDimensionsAndData()
    {
        // Magic 00 00 08 03 (unsigned bytes, 3 dimensions), then 2, 2, 3 big-endian, then 12 values.
        byte[] idx = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, .. Enumerable.Range(0, 12).Select(i => (byte)(i * 20))];

        var file = IdxReader.Read(new MemoryStream(idx), "t");

        Assert.Equal([2, 2, 3], file.Dimensions);
        Assert.Equal(12, file.Data.Length);
        Assert.Equal(220, file.Data[11]);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 9, 1, 0, 0, 0, 1, 5 }, "not an IDX file of unsigned bytes")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 3, 5 }, "ends before the 3 values")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 1, 5, 6 }, "bytes after the 1 values")]
    [InlineData(new byte[] { 0, 0, 8 }, "ends before the header")]
    public void Read_RejectsMalformedFiles(byte[] idx, string message) =>
        Assert.Contains(message, Assert.Throws<InvalidDataException>(() => IdxReader.Read(new MemoryStream(idx), "t")).Message);
}
