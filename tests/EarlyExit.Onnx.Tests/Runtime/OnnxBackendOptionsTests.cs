using EarlyExit.Onnx.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace EarlyExit.Onnx.Tests.Runtime;

public sealed class OnnxBackendOptionsTests
{
    [Fact]
    public void DefaultsAreOrtsOwnButNoSpinning()
    {
        var options = new OnnxBackendOptions();

        Assert.Equal(0, options.IntraOpThreads);
        Assert.Equal(0, options.InterOpThreads);
        Assert.False(options.ParallelExecution);
        Assert.False(options.AllowSpinning);
        Assert.Equal(GraphOptimizationLevel.ORT_ENABLE_ALL, options.OptimizationLevel);
    }

    [Fact]
    public void SessionOptionsCarryTheSettings()
    {
        var options = new OnnxBackendOptions { IntraOpThreads = 2, InterOpThreads = 1, ParallelExecution = true };

        using SessionOptions session = options.CreateSessionOptions();

        Assert.Equal(2, session.IntraOpNumThreads);
        Assert.Equal(1, session.InterOpNumThreads);
        Assert.Equal(ExecutionMode.ORT_PARALLEL, session.ExecutionMode);
        Assert.Equal(GraphOptimizationLevel.ORT_ENABLE_ALL, session.GraphOptimizationLevel);
    }

    [Theory]
    [InlineData(-1, 0, "IntraOpThreads")]
    [InlineData(0, -3, "InterOpThreads")]
    public void NegativeThreadCountsAreRefused(int intra, int inter, string name)
    {
        var options = new OnnxBackendOptions { IntraOpThreads = intra, InterOpThreads = inter };

        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(name, error.ParamName);
        Assert.Contains(Math.Min(intra, inter).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
    }

    [Fact]
    public void UndefinedOptimizationLevelIsRefusedWithTheValidNames()
    {
        var options = new OnnxBackendOptions { OptimizationLevel = (GraphOptimizationLevel)42 };

        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal("OptimizationLevel", error.ParamName);
        Assert.Contains("ORT_ENABLE_ALL", error.Message);
        Assert.Contains("got 42", error.Message);
    }
}
