using EarlyExit.Core.Policies;
using EarlyExit.Core.Signals;
using static EarlyExit.Core.Tests.Policies.PolicyTestKit;

namespace EarlyExit.Core.Tests.Policies;

// The exit sequences here are synthetic.
public class StaticExitPolicyTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(3, 2)]
    [InlineData(5, 4)]
    public void LeavesAfterExactlyKLayers(int k, int expectedExit)
    {
        // Whatever the signals (confident at exit 0, unsure later), k layers run: 0-based exit k − 1.
        var exits = WithSignal(ExitSignal.MaxProb, 1f, 0.1f, 0.1f, 0.1f, 0.1f);
        Assert.Equal(expectedExit, FirstExit(new StaticExitPolicy(k), exits));
    }

    [Fact]
    public void KBeyondTheModelLeavesAtTheLastExit()
    {
        // Unvalidated k = 7 on 5 exits: exits 0..3 continue, the last (4) always exits.
        Assert.Equal(4, FirstExit(new StaticExitPolicy(7), WithPredictions(0, 0, 0, 0, 0)));
    }

    [Fact]
    public void ValidateRejectsKAboveTheExitCount()
    {
        var ex = Assert.Throws<ArgumentException>(() => new StaticExitPolicy(7).Validate(5));
        Assert.Contains("layersExecuted must be between 1 and 5 (the number of exits); got 7", ex.Message);
        new StaticExitPolicy(5).Validate(5);
    }

    [Fact]
    public void RejectsKBelowOne()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new StaticExitPolicy(0));
        Assert.Equal("layersExecuted", ex.ParamName);
        Assert.Contains("layersExecuted must be at least 1; got 0", ex.Message);
    }

    [Fact]
    public void NameAndParameter()
    {
        var policy = new StaticExitPolicy(6);
        Assert.Equal("static", policy.Name);
        Assert.Equal(6.0, policy.Parameter);
        Assert.Equal(6, policy.LayersExecuted);
        Assert.True(policy.IsDeployable);
    }
}
