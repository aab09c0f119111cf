namespace EarlyExit.Cli.Tests.TestDoubles;

/// <summary>
/// Trains cnn-small and vit-small once for the whole vision test class through the real command
/// line on a few hundred synthetic 16-pixel images (<see cref="SyntheticImages"/>: 2 × 100 for
/// training, of which a seeded 10 % validates, and 2 × 40 for test), two epochs with augmentation,
/// then calibrates both. Seconds on 2 cores.
/// </summary>
public sealed class VisionModelsFixture : IDisposable
{
    public VisionModelsFixture()
    {
        Root = Directory.CreateTempSubdirectory("earlyexit-cli-vision-").FullName;
        DataSpec = $"images:{SyntheticImages.Write(Root, trainPerClass: 100, testPerClass: 40)}?size={SyntheticImages.Size}";
        CnnPath = Path.Combine(Root, "cnn");
        VitPath = Path.Combine(Root, "vit");
        TrainCnn = Train("cnn-small", CnnPath);
        TrainVit = Train("vit-small", VitPath);
        CalibrateCnn = CliRun.Of("calibrate", "--model", CnnPath, "--data", DataSpec);
        CalibrateVit = CliRun.Of("calibrate", "--model", VitPath, "--data", DataSpec);
    }

    /// <summary>The temporary folder holding the images and the models.</summary>
    public string Root { get; }

    /// <summary>"images:PATH?size=16".</summary>
    public string DataSpec { get; }

    /// <summary>The trained, calibrated cnn-small folder.</summary>
    public string CnnPath { get; }

    /// <summary>The trained, calibrated vit-small folder.</summary>
    public string VitPath { get; }

    internal CliRun TrainCnn { get; }

    internal CliRun TrainVit { get; }

    internal CliRun CalibrateCnn { get; }

    internal CliRun CalibrateVit { get; }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }

    private CliRun Train(string model, string output) =>
        CliRun.Of("train", "--data", DataSpec, "--model", model, "--out", output, "--epochs", "2", "--batch-size", "32", "--augment", "--learning-rate", "3e-3");
}
