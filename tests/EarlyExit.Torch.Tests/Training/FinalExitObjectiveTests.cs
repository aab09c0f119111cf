using EarlyExit.Torch.Training;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Training;

public sealed class FinalExitObjectiveTests
{
    [Fact]
    public void TheLossIsTheFinalExitsCrossEntropyAlone()
    {
        using var scope = NewDisposeScope();
        // M = 3, two rows. Exit 2 (the final): row 0 [ln 7, 0] label 0 → ln(8/7); row 1 [0, ln 3] label 1 → ln(4/3).
        // Exits 0 and 1 hold large wrong logits that would dominate any loss that counted them.
        Tensor logits = tensor(new float[] { -9, 9, 9, -9, -9, 9, 9, -9, MathF.Log(7), 0, 0, MathF.Log(3) }).view(3, 2, 2);
        Tensor labels = tensor(new long[] { 0, 1 });

        double loss = new FinalExitObjective().Loss(logits, labels, new TrainingStep(0, 0, 1, TrainingPhase.FinalExit)).item<float>();

        Assert.Equal((Math.Log(8.0 / 7) + Math.Log(4.0 / 3)) / 2, loss, 1e-6); // (0.133531 + 0.287682) / 2 = 0.210607
    }

    [Fact]
    public void EveryEpochTrainsTheBackboneAndTheFinalHeadOnly()
    {
        ITrainingObjective objective = new FinalExitObjective();
        Assert.Equal("final", objective.Name);
        Assert.All(Enumerable.Range(0, 3), e => Assert.Equal(TrainingPhase.FinalExit, objective.PhaseOf(e, 3)));
    }
}
