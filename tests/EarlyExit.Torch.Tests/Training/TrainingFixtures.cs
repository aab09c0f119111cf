using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Training;

namespace EarlyExit.Torch.Tests.Training;

/// <summary>A tiny encoder and a synthetic, learnable task for the training tests.</summary>
internal static class TrainingFixtures
{
    /// <summary>Hidden 32, 2 layers, 2 heads, vocabulary 100, 2 classes, 16 positions, mean pooling (as MiniLM).</summary>
    public static readonly EncoderConfig Tiny = new()
    {
        VocabularySize = 100, HiddenSize = 32, LayerCount = 2, HeadCount = 2, IntermediateSize = 64, ClassCount = 2,
        MaxPositions = 16, Pooling = ExitPooling.Mean,
    };

    public static readonly string[] Labels = ["low", "high"];

    /// <summary>
    /// Synthetic data: [CLS]=1, 3–12 word ids, [SEP]=2. Class 1 draws its words from [55, 100),
    /// class 0 mostly from [10, 55) with one word in four from the other half, so the classes are
    /// separable from the bag of words yet not from any single token; a 2-layer model learns it
    /// in a few dozen steps. Every other example has token types 0 … 0 1 … 1 (a "pair").
    /// </summary>
    public static List<TrainingExample> Synthetic(int count, int seed)
    {
        var random = new Random(seed);
        var examples = new List<TrainingExample>(count);
        for (int i = 0; i < count; i++)
        {
            int label = random.Next(2);
            int words = random.Next(3, 13);
            var ids = new long[words + 2];
            ids[0] = 1;
            ids[^1] = 2;
            for (int w = 1; w <= words; w++)
                ids[w] = label == 1 || random.Next(4) == 0 ? random.Next(55, 100) : random.Next(10, 55);
            long[]? types = null;
            if (i % 2 == 1)
            {
                types = new long[ids.Length];
                types.AsSpan(ids.Length / 2).Fill(1);
            }
            examples.Add(new TrainingExample(ids, types, label));
        }
        return examples;
    }

    /// <summary>The metadata a trainer of <paramref name="model"/> needs, with <see cref="Labels"/>.</summary>
    public static CheckpointMetadata Describe(MultiExitEncoder model) => new() { Config = model.Config, LabelNames = Labels };

    /// <summary>Examples as a training set of <see cref="Tiny"/>'s sizes.</summary>
    public static TokenTrainingSet Tokens(IReadOnlyList<TrainingExample> examples) => new(examples, Tiny);
}
