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
    public void AMissingFolder_IsCreated()
    {
        string path = Path.Combine(_folder, "new-folder", "c.txt");
        AtomicFile.WriteAllText(path, "x");
        Assert.Equal("x", File.ReadAllText(path));
    }

    [Fact]
    public void Copy_CopiesBytes_AndAMissingSourceLeavesTheDestinationAlone()
    {
        string source = Path.Combine(_folder, "s.bin"), destination = Path.Combine(_folder, "d.bin");
        AtomicFile.WriteAllBytes(source, [1, 2, 3, 250]);
        AtomicFile.WriteAllText(destination, "before");
        AtomicFile.Copy(source, destination);
        Assert.Equal([1, 2, 3, 250], File.ReadAllBytes(destination));
        Assert.Throws<FileNotFoundException>(() => AtomicFile.Copy(Path.Combine(_folder, "missing"), destination));
        Assert.Equal([1, 2, 3, 250], File.ReadAllBytes(destination));
    }
}
