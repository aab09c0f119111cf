using EarlyExit.Torch.Training;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Training;

public sealed class TwoStageObjectiveTests
{
    [Fact]
    public void StageOneTrainsTheFinalExitAndStageTwoTheInternalOnes()
    {
        using var scope = NewDisposeScope();
        // M = 3, label 0: exit 0 [0, 0] → ln 2; exit 1 [ln 3, 0] → ln(4/3); exit 2 [ln 7, 0] → ln(8/7).
        Tensor logits = tensor(new float[] { 0, 0, MathF.Log(3), 0, MathF.Log(7), 0 }).view(3, 1, 2);
        Tensor labels = tensor(new long[] { 0 });
        var objective = new TwoStageObjective(firstStageEpochs: 2);

        double first = objective.Loss(logits, labels, new TrainingStep(0, 1, 10, TrainingPhase.FinalExit)).item<float>();
        double second = objective.Loss(logits, labels, new TrainingStep(2, 9, 10, TrainingPhase.InternalExits)).item<float>();

        Assert.Equal(Math.Log(8.0 / 7), first, 1e-6);                    // 0.133531
        Assert.Equal(Math.Log(2) + Math.Log(4.0 / 3), second, 1e-6);     // 0.693147 + 0.287682 = 0.980829
    }

    [Fact]
    public void PhasesFollowTheFirstStageLength()
    {
        var objective = new TwoStageObjective(2);
        Assert.Equal(
            [TrainingPhase.FinalExit, TrainingPhase.FinalExit, TrainingPhase.InternalExits, TrainingPhase.InternalExits],
            Enumerable.Range(0, 4).Select(e => objective.PhaseOf(e, 4)));
    }

    [Fact]
    public void ValidationNamesTheRule()
    {
        var objective = (ITrainingObjective)new TwoStageObjective(2);
        Assert.Contains("epochs must exceed the 2 epoch(s) of stage 1 so stage 2 has at least one; got 2",
            Assert.Throws<ArgumentOutOfRangeException>(() => objective.Validate(6, 2)).Message);
        Assert.Contains("at least 2 exits", Assert.Throws<ArgumentOutOfRangeException>(() => objective.Validate(1, 5)).Message);
        Assert.Contains("firstStageEpochs must be at least 1; got 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => new TwoStageObjective(0)).Message);
    }
}
