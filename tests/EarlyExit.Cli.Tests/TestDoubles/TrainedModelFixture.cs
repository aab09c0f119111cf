namespace EarlyExit.Cli.Tests.TestDoubles;

/// <summary>
/// Trains one tiny model for the whole test class through the real command line: 200 synthetic
/// mails, MiniLM with its backbone frozen, at most 32 tokens, two epochs of 9 steps, then
/// calibrates it. Seconds on 2 cores.
/// </summary>
public sealed class TrainedModelFixture : IDisposable
{
    public TrainedModelFixture()
    {
        Root = Directory.CreateTempSubdirectory("earlyexit-cli-").FullName;
        DataSpec = "csv:" + SyntheticMails.Write(Root);
        ModelPath = Path.Combine(Root, "model");
        Train = CliRun.Of("train", "--data", DataSpec, "--out", ModelPath, "--freeze-backbone", "--max-length", "32",
            "--epochs", "2", "--batch-size", "16", "--learning-rate", "3e-3");
        Calibrate = CliRun.Of("calibrate", "--model", ModelPath, "--data", DataSpec);
    }

    /// <summary>The temporary folder holding the CSV and the model.</summary>
    public string Root { get; }

    /// <summary>"csv:PATH" of the synthetic mails.</summary>
    public string DataSpec { get; }

    /// <summary>The trained, calibrated model folder.</summary>
    public string ModelPath { get; }

    internal CliRun Train { get; }

    internal CliRun Calibrate { get; }

    /// <summary>A copy of the model folder to damage, in a fresh temporary folder.</summary>
    public string CopyModel()
    {
        string copy = Path.Combine(Root, "copy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.EnumerateFiles(ModelPath)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return copy;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
