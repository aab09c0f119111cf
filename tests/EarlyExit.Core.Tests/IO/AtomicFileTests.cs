using EarlyExit.Core.IO;

namespace EarlyExit.Core.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("earlyexit-atomic-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void WriteAllText_ReplacesTheContent_AndLeavesNoTemporaryFile()
    {
        string path = Path.Combine(_folder, "a.json");
        AtomicFile.WriteAllText(path, "old");
        AtomicFile.WriteAllText(path, "new");
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(["a.json"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void AFailedWrite_KeepsTheOldContent_AndRemovesTheTemporaryFile()
    {
        string path = Path.Combine(_folder, "b.bin");
        AtomicFile.WriteAllText(path, "kept");
        var error = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write([1, 2, 3]);
            throw new InvalidOperationException("disk on fire");
        }));
        Assert.Equal("disk on fire", error.Message);
        Assert.Equal("kept", File.ReadAllText(path));
        Assert.Equal(["b.bin"], Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void AMissingFolder_IsAnIOError_NotAPartialFile()
    {
        string path = Path.Combine(_folder, "no-such-folder", "c.txt");
        Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllText(path, "x"));
        Assert.False(Directory.Exists(Path.Combine(_folder, "no-such-folder")));
    }
}
