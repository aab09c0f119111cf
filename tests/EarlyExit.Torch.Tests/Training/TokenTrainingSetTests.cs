using EarlyExit.Data.Datasets;
using EarlyExit.Data.Tokenization;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Training;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Training;

public sealed class TokenTrainingSetTests
{
    private static readonly TextTokenizer Tokenizer = TextTokenizer.ForMiniLm(new TokenizerOptions { MaxLength = 16 });

    // The tiny encoder with MiniLM's vocabulary, so MiniLM's ids fit.
    private static readonly EncoderConfig Config = TrainingFixtures.Tiny with { VocabularySize = Tokenizer.VocabularySize };

    [Fact]
    public void TokenizeGivesTheTokenizersRows_ChunkByChunk()
    {
        // 300 examples: two chunks (256 + 44), every third with a text pair, one longer than 16 tokens.
        TextExample[] examples = [.. Enumerable.Range(0, 300).Select(i => new TextExample(
            i == 7 ? string.Join(' ', Enumerable.Repeat("word", 40)) : $"example number {i}", i % 3 == 0 ? "a pair" : null, i % 2))];
        var reports = new List<int>();

        TokenTrainingSet set = TokenTrainingSet.Tokenize(examples, Tokenizer, Config, "train", new SyncProgress(reports.Add));

        Assert.Equal([256, 300], reports);
        Assert.Equal(300, set.Count);
        for (int i = 0; i < examples.Length; i += 37)
        {
            TokenBatch expected = Tokenizer.EncodeExamples([examples[i]]);
            using var scope = NewDisposeScope();
            using TrainingBatch batch = set.Collate([i], augmentationSeed: null);
            Assert.Equal(expected.InputIdsOf(0).ToArray(), batch.Inputs[0].data<long>().ToArray());
            Assert.Equal(expected.TokenTypeIdsOf(0).ToArray(), batch.Inputs[1].data<long>().ToArray());
            Assert.Equal(examples[i].Label, batch.Labels.item<long>());
        }
    }

    [Fact]
    public void TokenizeChecksTheExamplesAgainstTheModel()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            TokenTrainingSet.Tokenize([new TextExample("fine", null, 0), new TextExample("too many classes", null, 2)], Tokenizer, Config, "validation"));

        Assert.Contains("validation[1] has label 2; the model has 2 classes (0 to 1)", e.Message);
    }

    private sealed class SyncProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
