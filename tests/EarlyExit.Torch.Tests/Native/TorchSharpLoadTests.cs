using TorchSharp;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Native;

/// <summary>
/// TorchSharp's native library loads on this machine (Directory.Build.targets marks its
/// GLIBCXX_3.4.32 requirement weak where the system libstdc++ is older) and computes.
/// </summary>
public sealed class TorchSharpLoadTests
{
    [Fact]
    public void MatmulOfTwoByTwoMatricesGivesHandWorkedProduct()
    {
        using var scope = NewDisposeScope();
        // [1 2]   [5 6]   [1·5 + 2·7  1·6 + 2·8]   [19 22]
        // [3 4] × [7 8] = [3·5 + 4·7  3·6 + 4·8] = [43 50]
        var a = tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        var b = tensor(new float[] { 5, 6, 7, 8 }, 2, 2);

        float[] product = a.matmul(b).data<float>().ToArray();

        Assert.Equal(new float[] { 19, 22, 43, 50 }, product);
    }
}
