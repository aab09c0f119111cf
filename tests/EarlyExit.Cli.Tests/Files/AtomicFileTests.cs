using EarlyExit.Cli.Files;

namespace EarlyExit.Cli.Tests.Files;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("atomic-").FullName;

    [Fact]
    public void Writes_and_replaces_a_file_and_creates_its_folder()
    {
        string path = Path.Combine(_folder, "sub", "a.txt");
        AtomicFile.WriteAllText(path, "one");
        AtomicFile.WriteAllText(path, "two");

        Assert.Equal("two", File.ReadAllText(path));
        Assert.Equal(["a.txt"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void A_failed_write_keeps_the_old_file_and_leaves_no_temporary_file()
    {
        string path = Path.Combine(_folder, "b.txt");
        AtomicFile.WriteAllText(path, "old");

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.WriteByte(1);
            throw new InvalidOperationException("disk on fire");
        }));

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_folder));
    }

    [Fact]
    public void Copies_bytes_exactly()
    {
        string source = Path.Combine(_folder, "c.bin");
        File.WriteAllBytes(source, [0, 1, 2, 255]);
        AtomicFile.Copy(source, Path.Combine(_folder, "d.bin"));

        Assert.Equal([0, 1, 2, 255], File.ReadAllBytes(Path.Combine(_folder, "d.bin")));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
