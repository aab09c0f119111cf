using EarlyExit.Core.IO;

namespace EarlyExit.Core.Tests.IO;

/// <summary>A folder replaced as a unit: killed at any write, it reads wholly old or wholly new.</summary>
public sealed class AtomicDirectoryTests : IDisposable
{
    private sealed class Killed : Exception;

    private readonly string _folder = Directory.CreateTempSubdirectory("earlyexit-atomicdir-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_kill_at_any_write_leaves_the_old_or_the_new_generation_whole_after_recovery()
    {
        string unit = Path.Combine(_folder, "last");
        for (int n = 0; n < 4; n++)
        {
            if (Directory.Exists(unit)) Directory.Delete(unit, recursive: true);
            Write(unit, "old");
            int writes = 0;
            AtomicFile.BeforeReplace = _ =>
            {
                if (writes++ == n) throw new Killed();
            };
            try
            {
                Assert.Throws<Killed>(() => Write(unit, "new"));
            }
            finally
            {
                AtomicFile.BeforeReplace = null;
            }

            AtomicDirectory.Recover(unit);
            AtomicFile.RemoveLeftovers(unit);

            string a = File.ReadAllText(Path.Combine(unit, "a")), b = File.ReadAllText(Path.Combine(unit, "b"));
            Assert.Equal(a, b);
            Assert.Equal(["last"], Directory.GetFileSystemEntries(_folder).Select(Path.GetFileName));
            Assert.Equal(["a", "b"], Directory.GetFiles(unit).Select(Path.GetFileName).Order());
        }
    }

    [Fact]
    public void Only_temporary_names_are_removed_as_leftovers()
    {
        File.WriteAllText(Path.Combine(_folder, ".model.safetensors.0123456789abcdef0123456789abcdef.tmp"), "");
        File.WriteAllText(Path.Combine(_folder, ".notes.tmp"), "");
        File.WriteAllText(Path.Combine(_folder, "model.safetensors"), "");

        Assert.Equal(1, AtomicFile.RemoveLeftovers(_folder));
        Assert.Equal([".notes.tmp", "model.safetensors"], Directory.GetFiles(_folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    private static void Write(string unit, string content) => AtomicDirectory.Replace(unit, fresh =>
    {
        AtomicFile.WriteAllText(Path.Combine(fresh, "a"), content);
        AtomicFile.WriteAllText(Path.Combine(fresh, "b"), content);
    });
}
