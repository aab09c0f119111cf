using EarlyExit.Torch.Training;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Training;

public sealed class JointObjectiveTests
{
    [Fact]
    public void WeighsEachExitsCrossEntropyByItsDepth()
    {
        using var scope = NewDisposeScope();
        // M = 2, one sample, label 0. Exit 0: [0, 0] → CE = ln 2 = 0.693147.
        // Exit 1: [ln 3, 0] → p_0 = 3/4 → CE = ln(4/3) = 0.287682.
        // L = (1·0.693147 + 2·0.287682) / (1 + 2) = 1.268511 / 3 = 0.422837.
        Tensor logits = tensor(new float[] { 0, 0, MathF.Log(3), 0 }).view(2, 1, 2);
        Tensor labels = tensor(new long[] { 0 });

        double loss = new JointObjective().Loss(logits, labels, new TrainingStep(0, 1, 1)).item<float>();

        Assert.Equal((Math.Log(2) + 2 * Math.Log(4.0 / 3)) / 3, loss, 1e-6);
        Assert.Equal(0.422837, loss, 1e-6);
    }

    [Fact]
    public void AveragesOverTheBatch()
    {
        using var scope = NewDisposeScope();
        // Two samples at one exit (M = 1): [0, 0] label 1 → ln 2; [ln 3, 0] label 0 → ln(4/3).
        // Weight 1/1, so L = (0.693147 + 0.287682) / 2 = 0.490415.
        Tensor logits = tensor(new float[] { 0, 0, MathF.Log(3), 0 }).view(1, 2, 2);
        Tensor labels = tensor(new long[] { 1, 0 });

        double loss = new JointObjective().Loss(logits, labels, new TrainingStep(0, 1, 1)).item<float>();

        Assert.Equal((Math.Log(2) + Math.Log(4.0 / 3)) / 2, loss, 1e-6);
    }

    [Fact]
    public void RejectsLabelsOfTheWrongLength()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ArgumentException>(() =>
            new JointObjective().Loss(zeros(2, 3, 2), tensor(new long[] { 0, 1 }), new TrainingStep(0, 1, 1)));
        Assert.Contains("labels must be (batch = 3) int64; got shape (2)", e.Message);
    }
}
