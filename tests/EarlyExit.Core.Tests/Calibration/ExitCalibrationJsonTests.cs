using EarlyExit.Core.Calibration;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Tests.TestDoubles;

namespace EarlyExit.Core.Tests.Calibration;

public class ExitCalibrationJsonTests
{
    private static readonly TraceEvaluator Random = new(HandTraces.Random(400, 6, 3, seed: 11));

    [Fact]
    public void RoundTrip_KeepsEveryFieldAndEveryPolicyDecision()
    {
        var original = ExitCalibration.Fit(Random);
        var read = ExitCalibrationJson.FromJson(ExitCalibrationJson.ToJson(original), "test.json");

        Assert.Equal(original.SampleCount, read.SampleCount);
        Assert.Equal(original.ExitAccuracies.ToArray(), read.ExitAccuracies.ToArray());
        Assert.Equal(original.DefaultPolicy, read.DefaultPolicy);
        for (int m = 0; m < original.ExitCount; m++)
        {
            Assert.Equal(original.Diagrams[m].Counts.ToArray(), read.Diagrams[m].Counts.ToArray());
            Assert.Equal(original.Diagrams[m].CorrectCounts.ToArray(), read.Diagrams[m].CorrectCounts.ToArray());
        }
        Assert.Equal(original.BeemCost.Thresholds.ToArray(), read.BeemCost.Thresholds.ToArray());
        Assert.Equal(original.BeemAccuracy.Exits.ToArray(), read.BeemAccuracy.Exits.ToArray());
        // Every calibrated policy exits the same samples at the same exits after the round trip.
        foreach (var name in new[] { "beem-c", "beem-a", "pcee", "pcee-ws" })
        {
            var before = Random.Evaluate(PolicyCatalog.Create(new PolicySpec(name), original, 6));
            var after = Random.Evaluate(PolicyCatalog.Create(new PolicySpec(name), read, 6));
            Assert.Equal(before.ExitIndices.ToArray(), after.ExitIndices.ToArray());
        }
    }

    [Fact]
    public void InfiniteThresholds_AreWrittenAsTheStringInfinity()
    {
        // A threshold of +∞ ("never exit here") is not a JSON number.
        var f = ExitCalibration.Fit(Random);
        var never = f.BeemCost with { Exits = [.. f.BeemCost.Exits.Select(e => e with { Threshold = double.PositiveInfinity })] };
        var calibration = new ExitCalibration(f.SampleCount, f.ExitAccuracies, f.Diagrams, never, f.BeemAccuracy, f.DefaultPolicy);
        string json = ExitCalibrationJson.ToJson(calibration);
        Assert.Contains("\"Infinity\"", json);
        Assert.All(ExitCalibrationJson.FromJson(json, "x").BeemCost.Thresholds, t => Assert.Equal(double.PositiveInfinity, t));
    }

    [Fact]
    public void MalformedJson_NamesTheSource()
    {
        var error = Assert.Throws<InvalidDataException>(() => ExitCalibrationJson.FromJson("{ not json", "model/calibration.json"));
        Assert.StartsWith("model/calibration.json: calibration is not valid JSON", error.Message);
    }

    [Fact]
    public void MissingField_IsNamed()
    {
        var json = ExitCalibrationJson.ToJsonObject(ExitCalibration.Fit(Random));
        json.Remove("diagrams");
        var error = Assert.Throws<InvalidDataException>(() => ExitCalibrationJson.FromJsonObject(json, "c.json"));
        Assert.Contains("field 'diagrams' is missing", error.Message);
    }

    [Fact]
    public void WrongVersion_IsRejected()
    {
        var json = ExitCalibrationJson.ToJsonObject(ExitCalibration.Fit(Random));
        json["format_version"] = 99;
        var error = Assert.Throws<InvalidDataException>(() => ExitCalibrationJson.FromJsonObject(json, "c.json"));
        Assert.Contains("format_version is 99; this EarlyExit reads version 1", error.Message);
    }

    [Fact]
    public void InconsistentCounts_AreRejected()
    {
        // Bin 0 claims more right answers than samples.
        var json = ExitCalibrationJson.ToJsonObject(ExitCalibration.Fit(Random));
        json["diagrams"]![0]!["correct"]![0] = 1_000_000;
        var error = Assert.Throws<InvalidDataException>(() => ExitCalibrationJson.FromJsonObject(json, "c.json"));
        Assert.StartsWith("c.json: calibration is inconsistent", error.Message);
    }
}
