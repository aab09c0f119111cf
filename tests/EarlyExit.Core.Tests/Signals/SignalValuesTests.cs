using EarlyExit.Core.Signals;

namespace EarlyExit.Core.Tests.Signals;

public class SignalValuesTests
{
    [Fact]
    public void IndexerReturnsEachSignal()
    {
        // Distinct synthetic values so a swapped case cannot pass.
        var s = new SignalValues(Prediction: 2, MaxProb: 0.1f, Entropy: 0.2f, NormalizedEntropy: 0.3f, Energy: -0.4f, NormalizedEnergy: 0.5f);

        Assert.Equal(0.1f, s[ExitSignal.MaxProb]);
        Assert.Equal(0.2f, s[ExitSignal.Entropy]);
        Assert.Equal(0.3f, s[ExitSignal.NormalizedEntropy]);
        Assert.Equal(-0.4f, s[ExitSignal.Energy]);
        Assert.Equal(0.5f, s[ExitSignal.NormalizedEnergy]);
    }

    [Fact]
    public void IndexerRejectsAnUndefinedSignal()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => default(SignalValues)[(ExitSignal)7]);
        Assert.Equal("signal", ex.ParamName);
    }
}
