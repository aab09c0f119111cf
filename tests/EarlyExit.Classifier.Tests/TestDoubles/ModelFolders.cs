using EarlyExit.Tests.Shared;

namespace EarlyExit.Classifier.Tests.TestDoubles;

/// <summary>The model folders the tests load, each written once per test run: calibrated and not.</summary>
internal static class ModelFolders
{
    private static readonly Lazy<string> SharedCalibrated = new(() => Written(calibrated: true), LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<string> SharedUncalibrated = new(() => Written(calibrated: false), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The calibrated MiniLM folder (<see cref="CalibratedMiniLm"/>).</summary>
    public static string Calibrated => SharedCalibrated.Value;

    /// <summary>The same model without its calibration.</summary>
    public static string Uncalibrated => SharedUncalibrated.Value;

    /// <summary>A copy of the calibrated folder to damage.</summary>
    public static string CopyOfCalibrated()
    {
        string copy = CalibratedMiniLm.TemporaryFolder("earlyexit-classifier-copy");
        foreach (string file in Directory.EnumerateFiles(Calibrated)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return copy;
    }

    private static string Written(bool calibrated)
    {
        string folder = CalibratedMiniLm.TemporaryFolder(calibrated ? "earlyexit-classifier" : "earlyexit-classifier-uncalibrated");
        CalibratedMiniLm.Write(folder, calibrated);
        return folder;
    }
}
