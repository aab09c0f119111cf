using EarlyExit.Data.Tokenization;
using EarlyExit.Onnx.Runtime;
using EarlyExit.Torch.Pretrained;
using EarlyExit.Torch.Runtime;

namespace EarlyExit.Classifier.Tests;

public sealed class InferenceBackendsTests
{
    [Theory]
    [InlineData("torch", InferenceBackend.Torch)]
    [InlineData("onnx", InferenceBackend.Onnx)]
    [InlineData(" ONNX ", InferenceBackend.Onnx)]
    public void ParseAcceptsEachNameInAnyCase(string name, InferenceBackend expected) =>
        Assert.Equal(expected, InferenceBackends.Parse(name));

    [Fact]
    public void NamesRoundTripThroughParse()
    {
        Assert.Equal(["torch", "onnx"], InferenceBackends.Names.ToArray());
        foreach (InferenceBackend backend in Enum.GetValues<InferenceBackend>())
            Assert.Equal(backend, InferenceBackends.Parse(InferenceBackends.NameOf(backend)));
    }

    [Fact]
    public void UnknownNameListsTheValidOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => InferenceBackends.Parse("tensorrt"));

        Assert.Equal("name", error.ParamName);
        Assert.StartsWith("unknown backend 'tensorrt'; valid backends: torch, onnx", error.Message);
    }

    [Fact]
    public void CreateModelBuildsEachBackendOverTheSameEncoder()
    {
        using var encoder = AllMiniLmL6V2.CreateEncoder(3, headSeed: 20240601);
        var options = new OnnxBackendOptions { IntraOpThreads = 1 };

        IMultiExitModel<TokenBatch> torchModel = InferenceBackends.CreateModel(InferenceBackend.Torch, encoder);
        IMultiExitModel<TokenBatch> onnxModel = InferenceBackends.CreateModel(InferenceBackend.Onnx, encoder, options);
        try
        {
            Assert.Same(encoder, Assert.IsType<EncoderExitModel>(torchModel).Encoder);
            Assert.Equal(options, Assert.IsType<OnnxExitModel>(onnxModel).Options);
            Assert.Equal((6, 3), (onnxModel.ExitCount, onnxModel.ClassCount));
        }
        finally
        {
            (onnxModel as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void UndefinedBackendIsRefused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => InferenceBackends.NameOf((InferenceBackend)7));

        Assert.Contains("backend must be one of torch, onnx; got 7", error.Message);
    }
}
