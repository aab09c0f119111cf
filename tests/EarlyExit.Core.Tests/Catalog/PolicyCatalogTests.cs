using EarlyExit.Core.Calibration;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Evaluation;
using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using EarlyExit.Core.Tests.TestDoubles;

namespace EarlyExit.Core.Tests.Catalog;

public class PolicyCatalogTests
{
    private static readonly TraceEvaluator Trace = new(HandTraces.Random(300, 6, 3, seed: 5));
    private static readonly ExitCalibration Calibration = ExitCalibration.Fit(Trace);

    [Fact]
    public void Names_ListEveryPolicyOnce_AndTheOraclesAreNotDeployable()
    {
        Assert.Equal(
            ["max-prob", "entropy", "normalized-entropy", "energy", "normalized-energy", "patience", "beem-c", "beem-a",
             "pcee", "pcee-ws", "pcee-cp", "static", "oracle", "correct-oracle"],
            PolicyCatalog.Names.ToArray());
        Assert.DoesNotContain("oracle", PolicyCatalog.DeployableNames);
        Assert.DoesNotContain("correct-oracle", PolicyCatalog.DeployableNames);
        Assert.Equal(12, PolicyCatalog.DeployableNames.Length);
    }

    [Theory]
    [InlineData("max-prob", 0.8)]
    [InlineData("entropy", 0.2)]
    [InlineData("normalized-entropy", 0.3)]
    [InlineData("energy", -2.0)]
    [InlineData("normalized-energy", 0.05)]
    public void Thresholds_AreThresholdPoliciesWithTheGivenTau(string name, double tau)
    {
        var policy = Assert.IsType<ThresholdPolicy>(PolicyCatalog.Create(new PolicySpec(name, tau), null, 6));
        Assert.Equal(name, policy.Name);
        Assert.Equal((float)tau, (float)policy.Threshold);
    }

    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        Assert.Equal(0.9, PolicyCatalog.Create(new PolicySpec("max-prob"), null, 6).Parameter, 6);
        Assert.Equal(2, Assert.IsType<PatiencePolicy>(PolicyCatalog.Create(new PolicySpec("patience"), null, 6)).Patience);
        Assert.Equal(6, Assert.IsType<StaticExitPolicy>(PolicyCatalog.Create(new PolicySpec("static"), null, 6)).LayersExecuted);
        var pcee = Assert.IsType<PceePolicy>(PolicyCatalog.Create(new PolicySpec("pcee"), Calibration, 6));
        // δ = the final exit's validation accuracy rounded down to 0.01, the default policy's δ too.
        Assert.Equal(Math.Floor(Calibration.FinalExitAccuracy * 100) / 100, pcee.Delta);
        Assert.Equal(Calibration.DefaultPolicy.Parameter, pcee.Delta);
        // BEEM without α: the eq. 3 per-exit thresholds from calibration.
        var beem = Assert.IsType<BeemPolicy>(PolicyCatalog.Create(new PolicySpec("beem-c"), Calibration, 6));
        Assert.Equal(Calibration.BeemCost.Thresholds.ToArray(), beem.Thresholds.ToArray());
        // With α: one shared threshold and the same weights.
        var shared = Assert.IsType<BeemPolicy>(PolicyCatalog.Create(new PolicySpec("beem-a", 1.5), Calibration, 6));
        Assert.Equal([1.5], shared.Thresholds.ToArray());
        Assert.Equal(Calibration.ExitAccuracies.ToArray(), shared.Weights.ToArray());
        Assert.Equal(PceePolicy.SmoothedName, PolicyCatalog.Create(new PolicySpec("pcee-ws", 0.9), Calibration, 6).Name);
    }

    [Fact]
    public void UnknownName_ListsTheValidOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => PolicyCatalog.Create(new PolicySpec("fastbert"), null, 6));
        Assert.Contains("unknown policy 'fastbert'; valid policies: max-prob, entropy,", error.Message);
        Assert.Contains("correct-oracle", error.Message);
    }

    [Fact]
    public void NamesAreCaseInsensitive()
        => Assert.IsType<PatiencePolicy>(PolicyCatalog.Create(new PolicySpec("Patience", 3), null, 6));

    [Theory]
    [InlineData("pcee", 0.9, null, "policy 'pcee' needs the model's calibration")]
    [InlineData("pcee", 1.2, "cal", "delta must be in [0, 1]; got 1.2")]
    [InlineData("energy", null, null, "policy 'energy' needs a parameter")]
    [InlineData("oracle", 1.0, null, "policy 'oracle' takes no parameter; got 1")]
    [InlineData("patience", 2.5, null, "patience must be a whole number; got 2.5")]
    [InlineData("static", 7.0, null, "6")]
    [InlineData("max-prob", double.NaN, null, "is NaN")]
    [InlineData("energy", double.PositiveInfinity, null, "the parameter of policy 'energy' is Infinity; expected a finite number")]
    [InlineData("entropy", double.NegativeInfinity, null, "the parameter of policy 'entropy' is -Infinity")]
    [InlineData("beem-a", double.PositiveInfinity, "cal", "the parameter of policy 'beem-a' is Infinity")]
    [InlineData("beem-c", double.NegativeInfinity, "cal", "the parameter of policy 'beem-c' is -Infinity")]
    public void BadSpecs_SayWhatIsWrong(string name, double? parameter, string? calibration, string expected)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() =>
            PolicyCatalog.Create(new PolicySpec(name, parameter), calibration is null ? null : Calibration, 6));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void CalibrationForAnotherExitCount_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => PolicyCatalog.Create(new PolicySpec("pcee", 0.9), Calibration, 4));
        Assert.Contains("the calibration is for 6 exits but the model has 4", error.Message);
    }

    [Fact]
    public void Families_CoverEveryName_AndTheirPointsEvaluate()
    {
        foreach (var name in PolicyCatalog.Names)
        {
            var family = PolicyCatalog.Family(name, Calibration, Trace);
            Assert.Equal(name, family.Name);
            Assert.NotEmpty(family.Grid);
            var curve = Trace.Sweep(family.Create, family.Grid);
            Assert.Equal(family.Grid.Length, curve.Points.Length);
        }
        // Patience and static sweep 1..M; PCEE δ from 0.5 to 1 in 101 steps.
        Assert.Equal([1.0, 2, 3, 4, 5, 6], PolicyCatalog.Family("patience", Calibration, Trace).Grid.ToArray());
        var pcee = PolicyCatalog.Family("pcee", Calibration, Trace).Grid;
        Assert.Equal(101, pcee.Length);
        Assert.Equal(0.5, pcee[0], 12);
        Assert.Equal(1.0, pcee[^1], 12);
        Assert.IsType<ThresholdPolicy>(PolicyCatalog.Family("energy", null, Trace).Create(-1));
        Assert.Equal(ExitSignal.Energy, ((ThresholdPolicy)PolicyCatalog.Family("energy", null, Trace).Create(-1)).Signal);
    }

    [Fact]
    public void SpecToString_IsNameColonParameter()
    {
        Assert.Equal("pcee:0.95", new PolicySpec("pcee", 0.95).ToString());
        Assert.Equal("beem-c", new PolicySpec("beem-c").ToString());
    }
}
