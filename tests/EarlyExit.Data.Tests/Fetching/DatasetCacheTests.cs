using System.Security.Cryptography;
using System.Text;
using EarlyExit.Data.Datasets;
using EarlyExit.Data.Fetching;

namespace EarlyExit.Data.Tests.Fetching;

public sealed class DatasetCacheTests : IDisposable
{
    private static readonly byte[] Content = Encoding.ASCII.GetBytes("archive");
    private static readonly string ContentSha = Convert.ToHexStringLower(SHA256.HashData(Content));

    private readonly string _root = Directory.CreateTempSubdirectory("earlyexit-cache-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string Fetch(string folder, byte[] content)
    {
        var path = Path.Combine(folder, "download.bin");
        File.WriteAllBytes(path, content);
        return path;
    }

    [Theory]
    [InlineData(null, "/home/u/.cache/earlyexit")]
    [InlineData("  ", "/home/u/.cache/earlyexit")]
    [InlineData("/data/cache", "/data/cache")]
    public void RootFor_PrefersTheEnvironmentVariable(string? variable, string expected) =>
        Assert.Equal(expected, DatasetCache.RootFor(variable, "/home/u"));

    [Fact]
    public void GetVerifiedFile_FetchesOnceThenUsesTheCache()
    {
        var cache = new DatasetCache(_root);
        var fetches = 0;

        var first = cache.GetVerifiedFile("ds", "a.bin", ContentSha, (folder, _) => { fetches++; return Fetch(folder, Content); }, default);
        var second = cache.GetVerifiedFile("ds", "a.bin", ContentSha, (folder, _) => { fetches++; return Fetch(folder, Content); }, default);

        Assert.Equal(1, fetches);
        Assert.Equal(Path.Combine(_root, "ds", "a.bin"), first);
        Assert.Equal(first, second);
        Assert.Equal(Content, File.ReadAllBytes(first));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_root, "ds")));
    }

    [Fact]
    public void GetVerifiedFile_WrongDigest_KeepsNothingAndNamesBothDigests()
    {
        var cache = new DatasetCache(_root);
        var expected = new string('0', 64);

        var error = Assert.Throws<DatasetException>(() => cache.GetVerifiedFile("ds", "a.bin", expected, (folder, _) => Fetch(folder, Content), default));

        Assert.Contains($"has SHA-256 {ContentSha}, expected {expected}", error.Message);
        Assert.False(File.Exists(Path.Combine(_root, "ds", "a.bin")));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_root, "ds")));
    }

    [Theory]
    [InlineData(3)] // truncated
    [InlineData(-1)] // garbage of the same length
    public void GetVerifiedFile_DamagedCachedFile_IsFetchedAgain(int keep)
    {
        var cache = new DatasetCache(_root);
        var target = cache.GetVerifiedFile("ds", "a.bin", ContentSha, (folder, _) => Fetch(folder, Content), default);
        File.WriteAllBytes(target, keep >= 0 ? Content[..keep] : Encoding.ASCII.GetBytes("garbage"));
        var fetches = 0;

        var again = cache.GetVerifiedFile("ds", "a.bin", ContentSha, (folder, _) => { fetches++; return Fetch(folder, Content); }, default);

        Assert.Equal(1, fetches);
        Assert.Equal(target, again);
        Assert.Equal(Content, File.ReadAllBytes(again));
    }

    [Fact]
    public void GetVerifiedFile_DamagedCachedFileThatCannotBeFetched_IsNamedOnOneLine()
    {
        var cache = new DatasetCache(_root);
        var target = cache.GetVerifiedFile("ds", "a.bin", ContentSha, (folder, _) => Fetch(folder, Content), default);
        File.WriteAllBytes(target, Content[..3]);

        var error = Assert.Throws<DatasetException>(() => cache.GetVerifiedFile(
            "ds", "a.bin", ContentSha, (_, _) => throw new DatasetException("npm was not found"), default));

        Assert.StartsWith($"the cached {target} has SHA-256 {Convert.ToHexStringLower(SHA256.HashData(Content[..3]))}, expected {ContentSha}", error.Message);
        Assert.Contains("fetching it again failed: npm was not found", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Empty(Directory.GetDirectories(Path.Combine(_root, "ds")));
    }

    [Fact]
    public void GetVerifiedFile_ConcurrentCallers_FetchOnce()
    {
        var cache = new DatasetCache(_root);
        var fetches = 0;

        Parallel.For(0, 4, _ => cache.GetVerifiedFile("ds", "a.bin", ContentSha, (folder, _) =>
        {
            Interlocked.Increment(ref fetches);
            Thread.Sleep(100);
            return Fetch(folder, Content);
        }, default));

        Assert.Equal(1, fetches);
    }

    [Fact]
    public void GetDerivedFolder_BuildsOnceAndNeverShowsAHalfBuiltFolder()
    {
        var cache = new DatasetCache(_root);
        var builds = 0;

        Assert.Throws<InvalidOperationException>(() => cache.GetDerivedFolder("ds", "unpacked", (folder, _) =>
        {
            File.WriteAllText(Path.Combine(folder, "half"), "x");
            throw new InvalidOperationException("dpkg died");
        }, default));
        Assert.False(Directory.Exists(Path.Combine(_root, "ds", "unpacked")));

        var built = cache.GetDerivedFolder("ds", "unpacked", (folder, _) => { builds++; File.WriteAllText(Path.Combine(folder, "file"), "x"); }, default);
        cache.GetDerivedFolder("ds", "unpacked", (_, _) => builds++, default);

        Assert.Equal(1, builds);
        Assert.True(File.Exists(Path.Combine(built, "file")));
    }
}
