using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EarlyExit.Torch.Import;
using EarlyExit.Torch.Models;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Import;

/// <summary>
/// Hugging Face folders written by Golden/make_golden.py (a plain-PyTorch reference forward per
/// architecture) import into the one multi-exit encoder and reproduce its hidden states and logits;
/// export then import is exact; bad folders are refused with one line.
/// </summary>
public sealed class HuggingFaceImportTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    internal static string Golden(string arch) => Path.Combine(AppContext.BaseDirectory, "Import", "Golden", arch);

    public static TheoryData<string, EncoderArchitecture> Architectures => new()
    {
        { "bert", EncoderArchitecture.Bert },
        { "distilbert", EncoderArchitecture.DistilBert },    // F16 weights
        { "roberta", EncoderArchitecture.Roberta },          // pytorch_model.bin
        { "xlm-roberta", EncoderArchitecture.XlmRoberta },   // two shards and an index
        { "electra", EncoderArchitecture.Electra },          // embedding_size 16 ≠ hidden 32
        { "albert", EncoderArchitecture.Albert },            // BF16 weights, one shared layer
    };

    private sealed record Expected(long[] Ids, long[] Mask, long[]? Types, int Batch, int Seq, float[][] States, float[] Logits);

    private static Expected ReadExpected(string folder)
    {
        JsonNode e = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "expected.json")))!;
        long[][] ids = e["input_ids"]!.Deserialize<long[][]>()!;
        long[]? types = e["token_type_ids"] is JsonArray t ? [.. t.Deserialize<long[][]>()!.SelectMany(r => r)] : null;
        return new Expected([.. ids.SelectMany(r => r)], [.. e["attention_mask"]!.Deserialize<long[][]>()!.SelectMany(r => r)], types,
            ids.Length, ids[0].Length, e["hidden_states"]!.Deserialize<float[][]>()!, e["logits"]!.Deserialize<float[]>()!);
    }

    /// <summary>Every layer's output and every exit's logits, flattened.</summary>
    internal static (float[][] States, float[][] Logits) Run(MultiExitEncoder model, long[] ids, long[]? types, long[] mask, int batch, int seq)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        Tensor maskTensor = tensor(mask, batch, seq);
        Tensor bias = MultiExitEncoder.AttentionBias(maskTensor);
        Tensor hidden = model.Embed(tensor(ids, batch, seq), types is null ? null : tensor(types, batch, seq));
        var states = new List<float[]>();
        var logits = new List<float[]>();
        for (int k = 0; k < model.LayerCount; k++)
        {
            hidden = model.RunLayer(k, hidden, bias);
            states.Add(hidden.data<float>().ToArray());
            logits.Add(model.RunExit(k, hidden, maskTensor).data<float>().ToArray());
        }
        return ([.. states], [.. logits]);
    }

    private static double MaxDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double d = 0;
        for (int i = 0; i < a.Length; i++) d = Math.Max(d, Math.Abs(a[i] - b[i]));
        return d;
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void GoldenFolderReproducesTheReferenceForward(string arch, EncoderArchitecture architecture)
    {
        string folder = Golden(arch);
        Expected e = ReadExpected(folder);
        ImportedModel imported = HuggingFaceModel.Load(folder, new HuggingFaceImportOptions { Seed = 7 });
        using MultiExitEncoder model = imported.Model;
        Assert.Equal(architecture, imported.Architecture);
        Assert.Equal(architecture, model.Config.Architecture);
        Assert.True(imported.HasClassifierHead);
        Assert.Equal(["negative", "neutral", "positive"], imported.LabelNames);
        Assert.Equal(2, model.LayerCount);

        var (states, logits) = Run(model, e.Ids, e.Types, e.Mask, e.Batch, e.Seq);
        Assert.Equal(e.States.Length, states.Length);
        for (int k = 0; k < states.Length; k++)
        {
            double d = MaxDiff(e.States[k], states[k]);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{arch} layer {k}: max diff {d:E2}"));
            Assert.True(d <= Tolerance, $"{arch} layer {k}: max |ours − reference| = {d:E2}");
        }
        double dl = MaxDiff(e.Logits, logits[^1]);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{arch} final logits: max diff {dl:E2}"));
        Assert.True(dl <= Tolerance, $"{arch} final logits: max |ours − reference| = {dl:E2}");
        // Not vacuous: the reference logits differ between rows, and from zero.
        Assert.True(e.Logits.Select(Math.Abs).Max() > 1e-2);
    }

    [Fact]
    public void NewInternalExitsMayPoolTheMeanWhileTheClassifierKeepsReadingCls()
    {
        Expected e = ReadExpected(Golden("bert"));
        using MultiExitEncoder cls = HuggingFaceModel.Load(Golden("bert"), new HuggingFaceImportOptions { Seed = 3 }).Model;
        using MultiExitEncoder mean = HuggingFaceModel.Load(Golden("bert"), new HuggingFaceImportOptions { Seed = 3, Pooling = ExitPooling.Mean }).Model;
        Assert.Equal(ExitPooling.Mean, mean.Config.PoolingOf(0));
        Assert.Equal(ExitPooling.Cls, mean.Config.PoolingOf(mean.Config.LayerCount - 1));
        var (_, a) = Run(cls, e.Ids, e.Types, e.Mask, e.Batch, e.Seq);
        var (_, b) = Run(mean, e.Ids, e.Types, e.Mask, e.Batch, e.Seq);
        Assert.Equal(a[^1], b[^1]);    // the deployed classifier's logits, unchanged
        Assert.NotEqual(a[0], b[0]);   // the same seeded head weights, pooled differently

        string folder = Directory.CreateTempSubdirectory("hf-mean-exits-").FullName;
        try
        {
            HuggingFaceModel.Write(mean, ["negative", "neutral", "positive"], folder);
            // Read back with the other pooling asked for: exit_heads.json says how the saved heads pool.
            using MultiExitEncoder back = HuggingFaceModel.Load(folder, new HuggingFaceImportOptions { Pooling = ExitPooling.Cls }).Model;
            Assert.Equal(mean.Config, back.Config);
            var (_, c) = Run(back, e.Ids, e.Types, e.Mask, e.Batch, e.Seq);
            for (int k = 0; k < b.Length; k++) Assert.Equal(b[k], c[k]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void ExportThenImportIsExact(string arch, EncoderArchitecture architecture)
    {
        Expected e = ReadExpected(Golden(arch));
        using MultiExitEncoder original = HuggingFaceModel.Load(Golden(arch), new HuggingFaceImportOptions { Seed = 3 }).Model;
        string folder = Directory.CreateTempSubdirectory("hf-roundtrip-").FullName;
        try
        {
            HuggingFaceModel.Write(original, ["negative", "neutral", "positive"], folder);
            Assert.True(File.Exists(Path.Combine(folder, HuggingFaceModel.ExitHeadsFileName)));
            // A different seed: any internal head not read back from exit_heads.safetensors would differ.
            ImportedModel back = HuggingFaceModel.Load(folder, new HuggingFaceImportOptions { Seed = 99 });
            using MultiExitEncoder reread = back.Model;
            Assert.Equal(architecture, back.Architecture);
            Assert.Equal(["negative", "neutral", "positive"], back.LabelNames);
            Assert.Equal(original.Config, reread.Config);
            var a = original.state_dict();
            var b = reread.state_dict();
            Assert.Equal(a.Keys.Order(), b.Keys.Order());
            foreach (string key in a.Keys) Assert.True(a[key].shape.SequenceEqual(b[key].shape) && a[key].eq(b[key]).all().item<bool>(), $"{arch}: {key} differs after the round trip");
            var (_, la) = Run(original, e.Ids, e.Types, e.Mask, e.Batch, e.Seq);
            var (_, lb) = Run(reread, e.Ids, e.Types, e.Mask, e.Batch, e.Seq);
            for (int k = 0; k < la.Length; k++) Assert.Equal(la[k], lb[k]);

            // The HF side alone (no exit_heads.safetensors) still gives the same final exit.
            File.Delete(Path.Combine(folder, HuggingFaceModel.ExitHeadsFileName));
            using MultiExitEncoder hfOnly = HuggingFaceModel.Load(folder, new HuggingFaceImportOptions { Seed = 99 }).Model;
            var (_, lc) = Run(hfOnly, e.Ids, e.Types, e.Mask, e.Batch, e.Seq);
            Assert.Equal(la[^1], lc[^1]);
            Assert.NotEqual(la[0], lc[0]); // internal exit 0 is a new, differently seeded head now
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ExportRefusesAModelWhoseFinalExitIsNotAHuggingFaceHead()
    {
        using var mean = new MultiExitEncoder(new EncoderConfig
        {
            VocabularySize = 20, HiddenSize = 8, LayerCount = 2, HeadCount = 2, IntermediateSize = 16, ClassCount = 2, Pooling = ExitPooling.Mean,
        });
        var e = Assert.Throws<ArgumentException>(() => HuggingFaceModel.Write(mean, ["a", "b"], Path.Combine(Path.GetTempPath(), "never-written")));
        Assert.StartsWith("the final exit uses Mean pooling; a Hugging Face classification head reads [CLS], so train with Cls pooling to export", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        using var plain = new MultiExitEncoder(mean.Config with { Pooling = ExitPooling.Cls, HeadDense = false });
        e = Assert.Throws<ArgumentException>(() => HuggingFaceModel.Write(plain, ["a", "b"], Path.Combine(Path.GetTempPath(), "never-written")));
        Assert.StartsWith("the final exit has no dense layer", e.Message);

        using var odd = new MultiExitEncoder(mean.Config with { Pooling = ExitPooling.Cls, SharedLayer = true });
        e = Assert.Throws<ArgumentException>(() => HuggingFaceModel.Write(odd, ["a", "b"], Path.Combine(Path.GetTempPath(), "never-written")));
        Assert.StartsWith("the model's SharedLayer (True) cannot be written as a Bert Hugging Face config", e.Message);
        Assert.False(Directory.Exists(Path.Combine(Path.GetTempPath(), "never-written")));
    }
}
