using EarlyExit.Torch.Models;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Models;

/// <summary>Synthetic tiny models with hand-set weights; the pretrained model is tested in <c>Import/</c>.</summary>
public sealed class MultiExitEncoderTests
{
    private static readonly EncoderConfig Tiny = new()
    {
        VocabularySize = 11, HiddenSize = 6, LayerCount = 2, HeadCount = 2, IntermediateSize = 8, ClassCount = 3,
        MaxPositions = 10,
    };

    [Fact]
    public void StateDictKeysAndShapesFollowHuggingFaceBert()
    {
        using var scope = NewDisposeScope();
        using var model = new MultiExitEncoder(Tiny);

        var shapes = model.state_dict().ToDictionary(kv => kv.Key, kv => string.Join("x", kv.Value.shape));

        var expected = new Dictionary<string, string>
        {
            ["embeddings.word_embeddings.weight"] = "11x6",
            ["embeddings.position_embeddings.weight"] = "10x6",
            ["embeddings.token_type_embeddings.weight"] = "2x6",
            ["embeddings.LayerNorm.weight"] = "6",
            ["embeddings.LayerNorm.bias"] = "6",
        };
        for (int k = 0; k < 2; k++)
        {
            string l = $"encoder.layer.{k}.";
            foreach (string p in new[] { "query", "key", "value" })
            {
                expected[$"{l}attention.self.{p}.weight"] = "6x6"; // Linear stores (out, in)
                expected[$"{l}attention.self.{p}.bias"] = "6";
            }
            expected[$"{l}attention.output.dense.weight"] = "6x6";
            expected[$"{l}attention.output.dense.bias"] = "6";
            expected[$"{l}attention.output.LayerNorm.weight"] = "6";
            expected[$"{l}attention.output.LayerNorm.bias"] = "6";
            expected[$"{l}intermediate.dense.weight"] = "8x6";
            expected[$"{l}intermediate.dense.bias"] = "8";
            expected[$"{l}output.dense.weight"] = "6x8";
            expected[$"{l}output.dense.bias"] = "6";
            expected[$"{l}output.LayerNorm.weight"] = "6";
            expected[$"{l}output.LayerNorm.bias"] = "6";
            expected[$"exits.{k}.dense.weight"] = "6x6";
            expected[$"exits.{k}.dense.bias"] = "6";
            expected[$"exits.{k}.classifier.weight"] = "3x6";
            expected[$"exits.{k}.classifier.bias"] = "3";
        }
        // 5 embedding tensors + 2 layers × 16 + 2 heads × 4 = 45
        Assert.Equal(45, expected.Count);
        Assert.Equal(expected.OrderBy(kv => kv.Key), shapes.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void HeadWithoutDenseHasOnlyTheClassifier()
    {
        using var scope = NewDisposeScope();
        using var model = new MultiExitEncoder(Tiny with { HeadDense = false });

        var headKeys = model.state_dict().Keys.Where(k => k.StartsWith("exits.0.", StringComparison.Ordinal)).Order();

        Assert.Equal(new[] { "exits.0.classifier.bias", "exits.0.classifier.weight" }, headKeys);
    }

    [Theory]
    [InlineData(ExitPooling.Cls, new[] { 1f, 2f })]  // token 0
    [InlineData(ExitPooling.Mean, new[] { 2f, 3f })] // ([1,2] + [3,4]) / 2; the padded [100,100] is left out
    public void ExitHeadPoolsOverTheMaskThenClassifies(ExitPooling pooling, float[] pooled)
    {
        using var scope = NewDisposeScope();
        var config = new EncoderConfig
        {
            VocabularySize = 5, HiddenSize = 2, LayerCount = 1, HeadCount = 1, IntermediateSize = 2, ClassCount = 2,
            Pooling = pooling, HeadDense = false,
        };
        using var model = new MultiExitEncoder(config);
        model.eval();
        // classifier: logits = [[1, 0], [1, -1]] · pooled + [0.5, 0]
        Set(model, "exits.0.classifier.weight", new float[] { 1, 0, 1, -1 }, 2, 2);
        Set(model, "exits.0.classifier.bias", new float[] { 0.5f, 0 }, 2);
        Tensor hidden = tensor(new float[] { 1, 2, 3, 4, 100, 100 }, 1, 3, 2);
        Tensor mask = tensor(new long[] { 1, 1, 0 }, 1, 3);

        float[] logits;
        using (no_grad()) logits = model.RunExit(0, hidden, mask).data<float>().ToArray();

        Assert.Equal(new[] { pooled[0] + 0.5f, pooled[0] - pooled[1] }, logits);
    }

    [Fact]
    public void DenseHeadAppliesTanhBeforeTheClassifier()
    {
        using var scope = NewDisposeScope();
        var config = new EncoderConfig
        {
            VocabularySize = 5, HiddenSize = 2, LayerCount = 1, HeadCount = 1, IntermediateSize = 2, ClassCount = 2,
            Pooling = ExitPooling.Mean,
        };
        using var model = new MultiExitEncoder(config);
        model.eval();
        Set(model, "exits.0.dense.weight", new float[] { 1, 0, 0, 1 }, 2, 2);
        Set(model, "exits.0.dense.bias", new float[] { 0, 0 }, 2);
        Set(model, "exits.0.classifier.weight", new float[] { 1, 0, 0, 1 }, 2, 2);
        Set(model, "exits.0.classifier.bias", new float[] { 0, 0 }, 2);
        Tensor hidden = tensor(new float[] { 1, 2, 3, 4 }, 1, 2, 2);

        float[] logits;
        using (no_grad()) logits = model.RunExit(0, hidden, ones(1, 2, dtype: ScalarType.Int64)).data<float>().ToArray();

        // mean = [2, 3]; tanh(2) = 0.9640275801, tanh(3) = 0.9950547537
        Assert.Equal(0.9640275801, logits[0], 1e-6);
        Assert.Equal(0.9950547537, logits[1], 1e-6);
    }

    [Fact]
    public void LayerWithUniformAttentionAddsTheMeanOfKeptTokensThenNormalises()
    {
        using var scope = NewDisposeScope();
        var config = new EncoderConfig
        {
            VocabularySize = 5, HiddenSize = 3, LayerCount = 1, HeadCount = 1, IntermediateSize = 1, ClassCount = 2,
        };
        using var model = new MultiExitEncoder(config);
        model.eval();
        // Zero Q and K give equal scores, so attention averages the kept tokens' values; V and the
        // output projection are the identity; a zero feed-forward adds GELU(0)·W = 0.
        using (no_grad())
        {
            foreach (var (name, p) in model.named_parameters())
            {
                if (name.StartsWith("encoder.", StringComparison.Ordinal)) p.zero_();
                if (name.StartsWith("encoder.", StringComparison.Ordinal) && name.EndsWith("LayerNorm.weight", StringComparison.Ordinal)) p.fill_(1);
            }
        }
        float[] identity = [1, 0, 0, 0, 1, 0, 0, 0, 1];
        Set(model, "encoder.layer.0.attention.self.value.weight", identity, 3, 3);
        Set(model, "encoder.layer.0.attention.output.dense.weight", identity, 3, 3);
        // Tokens [1,2,3] and [3,2,7] kept; [100,0,0] is padding.
        Tensor hidden = tensor(new float[] { 1, 2, 3, 3, 2, 7, 100, 0, 0 }, 1, 3, 3);
        Tensor bias = MultiExitEncoder.AttentionBias(tensor(new long[] { 1, 1, 0 }, 1, 3));

        float[] output;
        using (no_grad()) output = model.RunLayer(0, hidden, bias).data<float>().ToArray();

        // mean of kept = [2, 2, 5]; token 0: [1,2,3] + [2,2,5] = [3,4,8], mean 5, deviations [-2,-1,3],
        // variance (4+1+9)/3 = 14/3, so LN = [-2,-1,3]/√(14/3) = [-0.9258201, -0.4629100, 1.3887301];
        // the second LayerNorm of an already normalised vector changes nothing.
        Assert.Equal(-0.9258201, output[0], 1e-6);
        Assert.Equal(-0.4629100, output[1], 1e-6);
        Assert.Equal(1.3887301, output[2], 1e-6);
        // token 1: [3,2,7] + [2,2,5] = [5,4,12], mean 7, deviations [-2,-3,5], variance 38/3:
        // LN = [-0.5619515, -0.8429272, 1.4048787]
        Assert.Equal(-0.5619515, output[3], 1e-6);
        Assert.Equal(-0.8429272, output[4], 1e-6);
        Assert.Equal(1.4048787, output[5], 1e-6);
    }

    [Theory]
    [InlineData(ExitPooling.Cls)]
    [InlineData(ExitPooling.Mean)]
    public void PaddingDoesNotChangeAnyExit(ExitPooling pooling)
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var model = new MultiExitEncoder(Tiny with { Pooling = pooling });
        model.eval();
        Tensor ids = tensor(new long[] { 1, 5, 7, 2 }, 1, 4);
        Tensor padded = tensor(new long[] { 1, 5, 7, 2, 0, 0, 0 }, 1, 7);
        Tensor mask = tensor(new long[] { 1, 1, 1, 1, 0, 0, 0 }, 1, 7);

        Tensor plain, withPadding;
        using (no_grad())
        {
            plain = model.call(ids, zeros_like(ids), ones_like(ids));
            withPadding = model.call(padded, zeros_like(padded), mask);
        }

        Assert.Equal(new long[] { 2, 1, 3 }, plain.shape); // (exits, batch, classes)
        Assert.True(plain.allclose(withPadding, rtol: 0, atol: 1e-6), $"max |diff| {(plain - withPadding).abs().max().item<float>()}");
    }

    [Fact]
    public void ForwardEqualsRunningThePartsOneAtATime()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var model = new MultiExitEncoder(Tiny);
        model.eval();
        Tensor ids = tensor(new long[] { 1, 4, 9, 2, 1, 3, 2, 0 }, 2, 4);
        Tensor types = tensor(new long[] { 0, 0, 1, 1, 0, 0, 0, 0 }, 2, 4);
        Tensor mask = tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 0 }, 2, 4);

        using (no_grad())
        {
            Tensor all = model.call(ids, types, mask);
            Tensor bias = MultiExitEncoder.AttentionBias(mask);
            Tensor h = model.Embed(ids, types);
            for (int k = 0; k < model.LayerCount; k++)
            {
                h = model.RunLayer(k, h, bias);
                Assert.True(model.RunExit(k, h, mask).allclose(all[k], rtol: 0, atol: 0), $"exit {k}");
            }
            // Token types matter: the same ids as one segment give other logits.
            Assert.False(model.call(ids, zeros_like(types), mask).allclose(all));
        }
    }

    [Fact]
    public void LayerIndexOutOfRangeNamesTheRange()
    {
        using var scope = NewDisposeScope();
        using var model = new MultiExitEncoder(Tiny);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.RunLayer(2, zeros(1, 1, 6), zeros(1, 1, 1, 1)));

        Assert.Equal("layerIndex", e.ParamName);
        Assert.Contains("layerIndex must be between 0 and 1 (the model has 2 layers); got 2", e.Message);
    }

    [Fact]
    public void TooLongInputNamesTheLengthAndThePositions()
    {
        using var scope = NewDisposeScope();
        using var model = new MultiExitEncoder(Tiny);

        var e = Assert.Throws<ArgumentException>(() => model.Embed(zeros(1, 11, dtype: ScalarType.Int64)));

        Assert.Contains("inputIds has 11 tokens per row; the model has 10 positions", e.Message);
    }

    /// <summary>Overwrites the named parameter in place.</summary>
    private static void Set(MultiExitEncoder model, string name, float[] values, params long[] shape)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        model.named_parameters().Single(p => p.name == name).parameter.copy_(tensor(values, shape));
    }
}
