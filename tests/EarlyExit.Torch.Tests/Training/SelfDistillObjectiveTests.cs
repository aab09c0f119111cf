using EarlyExit.Torch.Models;
using EarlyExit.Torch.Training;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Training;

[Collection(TorchGeneratorCollection.Name)]
public sealed class SelfDistillObjectiveTests
{
    // M = 2 exits, 2 rows, 3 classes. Row 0: final [0, 0, 0] → p = (1/3, 1/3, 1/3); internal [ln 2, 0, 0] →
    // q = (1/2, 1/4, 1/4); KL(p ‖ q) = ⅓ ln(⅓ / ½) + ⅔ ln(⅓ / ¼) = ⅓ ln ⅔ + ⅔ ln 4/3 = 0.0566330.
    // Row 1: the internal exit equals the final one → KL 0. Batch mean: 0.0283165.
    private static Tensor Logits() => tensor(new float[]
    {
        MathF.Log(2), 0, 0, /* exit 0, row 1 */ 1, 2, 3,
        0, 0, 0, /* exit 1 (final), row 1 */ 1, 2, 3,
    }).view(2, 2, 3);

    private static readonly TrainingStep Step = new(0, 0, 1, TrainingPhase.InternalExits);

    [Fact]
    public void TheLossIsTheKlOfTheFinalExitsDistributionFromEachInternalOne()
    {
        using var scope = NewDisposeScope();
        Tensor labels = tensor(new long[] { 1, 0 }); // not read: any labels give the same loss
        Assert.Equal(0.0283165, new SelfDistillObjective().Loss(Logits(), labels, Step).item<float>(), 1e-6);
        Assert.Equal(0.0283165, new SelfDistillObjective().Loss(Logits(), tensor(new long[] { -1, -1 }), Step).item<float>(), 1e-6);
    }

    [Fact]
    public void TheTemperatureSoftensBothSidesAndTheSquareKeepsTheScale()
    {
        using var scope = NewDisposeScope();
        // T = 2: p = uniform; q ∝ (√2, 1, 1) = (0.414214, 0.292893, 0.292893);
        // KL = ⅓ ln(⅓ / 0.414214) + ⅔ ln(⅓ / 0.292893) = 0.0138104; × T² = 0.0552414; row mean 0.0276207.
        Assert.Equal(0.0276207, new SelfDistillObjective(2).Loss(Logits(), tensor(new long[] { 0, 0 }), Step).item<float>(), 1e-6);
    }

    [Fact]
    public void AnExitEqualToTheFinalOneCostsNothingAndTheTeacherGetsNoGradient()
    {
        using var scope = NewDisposeScope();
        Tensor logits = tensor(new float[] { 1, 2, 3, 1, 2, 3 }).view(2, 1, 3).requires_grad_(true);
        Tensor loss = new SelfDistillObjective().Loss(logits, tensor(new long[] { 0 }), Step);
        Assert.Equal(0, loss.item<float>(), 1e-7);

        Tensor moved = tensor(new float[] { 3, 2, 1, 1, 2, 3 }).view(2, 1, 3).requires_grad_(true);
        new SelfDistillObjective().Loss(moved, tensor(new long[] { 0 }), Step).backward();
        float[] grad = moved.grad!.data<float>().ToArray();
        Assert.Contains(grad[..3], g => Math.Abs(g) > 1e-3); // the internal exit is pulled towards the final one
        Assert.All(grad[3..], g => Assert.Equal(0f, g));      // the final exit, detached, is not
    }

    [Fact]
    public void ItTrainsTheInternalExitsOnlyAndNeedsNoLabels()
    {
        ITrainingObjective objective = new SelfDistillObjective();
        Assert.False(objective.NeedsLabels);
        Assert.Equal("self-distill", objective.Name);
        Assert.All(Enumerable.Range(0, 3), e => Assert.Equal(TrainingPhase.InternalExits, objective.PhaseOf(e, 3)));
        Assert.Contains("at least 2 exits", Assert.Throws<ArgumentOutOfRangeException>(() => objective.Validate(1, 1)).Message);
        Assert.Contains("temperature must be a finite number above 0; got 0", Assert.Throws<ArgumentOutOfRangeException>(() => new SelfDistillObjective(0)).Message);
    }

    [Fact]
    public void OnUnlabelledTextsItTrainsTheInternalHeadsAndLeavesTheDeployedModelBitForBit()
    {
        manual_seed(3);
        using var model = new MultiExitEncoder(TrainingFixtures.Tiny);
        Dictionary<string, Tensor> before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        List<TrainingExample> texts = [.. TrainingFixtures.Synthetic(96, seed: 4).Select(e => new TrainingExample(e.InputIds, e.TokenTypeIds, TrainingExample.NoLabel))];
        List<TrainingExample> validation = [.. TrainingFixtures.Synthetic(32, seed: 5).Select(e => new TrainingExample(e.InputIds, null, TrainingExample.NoLabel))];
        var trainer = new MultiExitTrainer(model, new SelfDistillObjective(), new TrainerOptions { Epochs = 2, LearningRate = 1e-2 }, TrainingFixtures.Labels);

        TrainingResult result = trainer.Train(texts, validation);

        Assert.True(result.Completed);
        ValidationResult last = result.Epochs[^1].Validation!;
        Assert.Equal(ValidationMeasure.Agreement, last.Measure);
        Assert.Equal(1.0, last.ExitAccuracies[^1]); // the final exit agrees with itself
        string finalHead = $"exits.{TrainingFixtures.Tiny.LayerCount - 1}.";
        foreach (var (name, value) in model.state_dict())
        {
            bool same = value.shape.SequenceEqual(before[name].shape) && value.eq(before[name]).all().item<bool>();
            if (name.StartsWith("exits.", StringComparison.Ordinal) && !name.StartsWith(finalHead, StringComparison.Ordinal))
                Assert.False(same, $"{name} did not train");
            else
                Assert.True(same, $"{name} changed: the backbone and the final exit must stay as deployed");
        }
    }

    [Fact]
    public void AnObjectiveThatNeedsLabelsRefusesUnlabelledExamples()
    {
        manual_seed(3);
        using var model = new MultiExitEncoder(TrainingFixtures.Tiny);
        List<TrainingExample> texts = [.. TrainingFixtures.Synthetic(8, seed: 4).Select(e => new TrainingExample(e.InputIds, null, TrainingExample.NoLabel))];
        var trainer = new MultiExitTrainer(model, new JointObjective(), new TrainerOptions { Epochs = 1 }, TrainingFixtures.Labels);
        Assert.Contains("the training examples include some without a label; objective joint needs labels",
            Assert.Throws<ArgumentException>(() => trainer.Train(texts)).Message);
    }
}
