using EarlyExit.Torch.Training;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Training;

public sealed class BeemObjectiveTests
{
    // M = 2, one sample, label 0: exit 0 [0, 0] (p = ½, ½), exit 1 [ln 3, 0] (p = ¾, ¼).
    private static Tensor Logits(bool requiresGrad = false) =>
        tensor(new float[] { 0, 0, MathF.Log(3), 0 }, requires_grad: requiresGrad).view(2, 1, 2);

    [Fact]
    public void AddsTheKlToTheFinalExitToEachExitsCrossEntropy()
    {
        using var scope = NewDisposeScope();
        // KL(p_M ‖ p_0) = ¾ ln(¾ / ½) + ¼ ln(¼ / ½) = 0.304099 − 0.173287 = 0.130812; KL at exit 1 = 0.
        // L = (1·(ln 2 + 0.130812) + 2·ln(4/3)) / 3 = (0.823959 + 0.575364) / 3 = 0.466441.
        double loss = new BeemObjective().Loss(Logits(), tensor(new long[] { 0 }), new TrainingStep(0, 1, 1)).item<float>();

        double kl = 0.75 * Math.Log(1.5) + 0.25 * Math.Log(0.5);
        Assert.Equal((Math.Log(2) + kl + 2 * Math.Log(4.0 / 3)) / 3, loss, 1e-6);
        Assert.Equal(0.466441, loss, 1e-6);
    }

    [Fact]
    public void TheTeacherIsDetachedSoTheFinalExitLearnsFromTheLabelsOnly()
    {
        using var scope = NewDisposeScope();
        Tensor leaf = tensor(new float[] { 0, 0, MathF.Log(3), 0 }, requires_grad: true);
        Tensor loss = new BeemObjective().Loss(leaf.view(2, 1, 2), tensor(new long[] { 0 }), new TrainingStep(0, 1, 1));
        loss.backward();

        // Final exit: only (2/3)·CE_1 depends on it, ∂/∂z = (2/3)(p − onehot) = (2/3)(−¼, ¼) = (−1/6, 1/6).
        // Were the teacher not detached, the KL term would add (1/3)·∂KL/∂z_M ≠ 0 here.
        float[] grad = leaf.grad!.data<float>().ToArray();
        Assert.Equal(-1.0 / 6, grad[2], 1e-6);
        Assert.Equal(1.0 / 6, grad[3], 1e-6);
        // Exit 0: (1/3)·[(p_0 − onehot) + (p_0 − p_M)] = (1/3)·[(−½, ½) + (−¼, ¼)] = (−¼, ¼).
        Assert.Equal(-0.25, grad[0], 1e-6);
        Assert.Equal(0.25, grad[1], 1e-6);
    }
}
