using System.Security.Cryptography;
using EarlyExit.Cli.Tests.TestDoubles;
using EarlyExit.Core.IO;

namespace EarlyExit.Cli.Tests.Commands;

/// <summary>
/// A command killed at any one of its writes, then run again, ends with the very files an
/// uninterrupted run writes (or a one-line error), never a silently different model. The kill is
/// <see cref="AtomicFile.BeforeReplace"/> throwing before the n-th rename, which leaves the folder
/// as <c>kill -9</c> at that instant would (temporary files included). Only the writes into the
/// folder a test is about count, to keep the runs few: the trainer's own state is killed at every
/// write in <c>MultiExitTrainerTests</c>, here train's final copy into the model folder.
/// </summary>
[Collection(MiniLmCollection.Name)]
public sealed class CrashConsistencyTests(TrainedModelFixture model)
{
    private sealed class Killed : Exception;

    [Fact]
    public void Train_killed_at_every_write_resumes_to_the_uninterrupted_model()
    {
        string output = Path.Combine(model.Root, "crash-train");
        string[] args = ["train", "--data", model.DataSpec, "--out", output, "--freeze-backbone", "--max-length", "16",
            "--epochs", "2", "--batch-size", "32", "--train-limit", "32"];

        AtEveryWrite(() => { }, output, args, output, ["model.safetensors", "checkpoint.json"], output);
    }

    [Fact]
    public void Calibrate_and_its_trace_cache_killed_at_every_write_end_as_an_uninterrupted_run()
    {
        string folder = Path.Combine(model.Root, "crash-calibrate");

        AtEveryWrite(() => CopyUncalibrated(folder), folder, ["calibrate", "--model", folder, "--data", model.DataSpec], folder,
            ["checkpoint.json", "validation.eetrace", "traces.json"], folder);
    }

    [Fact]
    public void A_trace_replaced_before_its_manifest_entry_is_recorded_again_not_used()
    {
        // Calibrating on other data replaces validation.eetrace, then is killed before traces.json
        // says so: the entry still names the first data, which the next calibrate asks for.
        string copy = model.CopyModel();
        string other = Directory.CreateDirectory(Path.Combine(model.Root, "other-" + Guid.NewGuid().ToString("N"))).FullName;
        string[] otherData = ["calibrate", "--model", copy, "--data", "csv:" + SyntheticMails.Write(other, seed: 7)];
        Assert.True(KilledAt(1, otherData, copy)); // write 0 is the trace, 1 its entry

        CliRun rerun = CliRun.Of("calibrate", "--model", copy, "--data", model.DataSpec);

        Assert.True(rerun.Status == 0, rerun.Error);
        string[] files = ["checkpoint.json", "validation.eetrace"];
        Assert.Equal(Hashes(model.ModelPath, files), Hashes(copy, files));
    }

    [Fact]
    public void Report_killed_at_every_write_ends_as_an_uninterrupted_run()
    {
        string folder = Path.Combine(model.Root, "crash-report-model");
        string report = Path.Combine(model.Root, "crash-report");

        // The model's traces are cached by the whole run and kept: the trace cache is calibrate's test.
        CopyUncalibrated(folder);
        AtEveryWrite(() =>
        {
            if (Directory.Exists(report)) Directory.Delete(report, recursive: true);
        }, report, ["report", "--model", folder, "--data", model.DataSpec, "--out", report], report, null, report);
    }

    /// <summary>
    /// Runs <paramref name="args"/> once whole, then for n = 0, 1, … from a fresh start (<paramref name="reset"/>)
    /// killed at write n and run again, until a run has fewer writes than n; each rerun must
    /// leave <paramref name="compared"/>'s files (all of them when null) bit for bit as the whole run did.
    /// Only writes into <paramref name="killedIn"/> count as kill points.
    /// </summary>
    private static void AtEveryWrite(Action reset, string clear, string[] args, string checkedFolder, string[]? compared, string killedIn)
    {
        void Fresh()
        {
            if (Directory.Exists(clear)) Directory.Delete(clear, recursive: true);
            reset();
        }
        Fresh();
        CliRun whole = CliRun.Of(args);
        Assert.True(whole.Status == 0, whole.Error);
        Dictionary<string, string> expected = Hashes(checkedFolder, compared);

        for (int n = 0; ; n++)
        {
            Fresh();
            if (!KilledAt(n, args, killedIn)) break;
            CliRun rerun = CliRun.Of(args);
            if (rerun.Status != 0)
            {
                // A refusal is allowed, as one line; a different result is not.
                Assert.True(rerun.ErrorLines.Length == 1, $"kill at write {n}: {rerun.Error}");
                continue;
            }
            Assert.Equal(expected, Hashes(checkedFolder, compared));
            Assert.Empty(Directory.EnumerateFiles(checkedFolder, "*.tmp", SearchOption.AllDirectories));
        }
    }

    private static bool KilledAt(int n, string[] args, string killedIn)
    {
        int writes = 0;
        AtomicFile.BeforeReplace = path =>
        {
            if (Path.GetDirectoryName(path) == killedIn && writes++ == n) throw new Killed();
        };
        try
        {
            CliRun run = CliRun.Of(args);
            // The command may catch the fault as an unexpected error; either way it was killed.
            return run.Status != 0 && writes > n;
        }
        catch (Killed)
        {
            return true;
        }
        finally
        {
            AtomicFile.BeforeReplace = null;
        }
    }

    private void CopyUncalibrated(string folder)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        foreach (string name in new[] { "model.safetensors", "checkpoint.json" })
            File.Copy(Path.Combine(model.ModelPath, name), Path.Combine(folder, name));
    }

    private static Dictionary<string, string> Hashes(string folder, string[]? names)
    {
        IEnumerable<string> files = names?.Select(name => Path.Combine(folder, name))
            ?? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
        return files.ToDictionary(file => Path.GetRelativePath(folder, file),
            file => File.Exists(file) ? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))) : "missing");
    }
}
