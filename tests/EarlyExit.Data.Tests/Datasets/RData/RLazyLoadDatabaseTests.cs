using EarlyExit.Data.Datasets.RData;

namespace EarlyExit.Data.Tests.Datasets.RData;

// Synthetic databases written by RDatabaseFiles.
public sealed class RLazyLoadDatabaseTests : IDisposable
{
    // Character vectors with NA shown as "<NA>".
    private static string[] Texts(RValue? value) => [.. Assert.IsType<RValue.Strings>(value).Values.Select(v => v ?? "<NA>")];

    private readonly string _folder = Directory.CreateTempSubdirectory("earlyexit-rdata-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(RDatabaseFiles.Entry.Lzma2)]
    [InlineData(RDatabaseFiles.Entry.Stored)]
    [InlineData(RDatabaseFiles.Entry.Zlib)]
    public void Read_FindsEachObjectByName(RDatabaseFiles.Entry encoding)
    {
        // A 100,000-string vector is over 64 KiB serialized, so LZMA2 needs several chunks.
        var big = Enumerable.Range(0, 100_000).Select(i => $"s{i}").ToArray();
        var (rdx, rdb) = RDatabaseFiles.Write(
            _folder, encoding,
            ("small", RWriter.Serialize(w => w.Strings(["a", "b"]))),
            ("big", RWriter.Serialize(w => w.Strings(big))));

        var database = RLazyLoadDatabase.Open(rdx, rdb);

        Assert.Equal(["small", "big"], database.Names);
        Assert.Equal(["a", "b"], Texts(database.Read("small")));
        Assert.Equal(big, Texts(database.Read("big")));
    }

    [Fact]
    public void Read_AnUnknownName_ListsTheNamesThere()
    {
        var (rdx, rdb) = RDatabaseFiles.Write(_folder, RDatabaseFiles.Entry.Stored, ("b", RWriter.Serialize(w => w.Null())), ("a", RWriter.Serialize(w => w.Null())));

        var error = Assert.Throws<KeyNotFoundException>(() => RLazyLoadDatabase.Open(rdx, rdb).Read("c"));

        Assert.Contains("has no object 'c'; it has: a, b", error.Message);
    }
}
