using System.Globalization;
using System.Text.Json.Nodes;
using EarlyExit.Torch.Import;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Pretrained;
using EarlyExit.Torch.Tests.Pretrained;
using Microsoft.ML.Tokenizers;
using Onnx;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Import;

/// <summary>
/// all-MiniLM-L6-v2's real weights, written as a Hugging Face BERT folder and imported back,
/// reproduce ONNX Runtime on the packaged ONNX file layer by layer (as AllMiniLmL6V2Tests does for
/// the direct import), both as a BertForSequenceClassification and as a bare, unprefixed BertModel.
/// </summary>
public sealed class HuggingFaceMiniLmTests(ITestOutputHelper output) : IDisposable
{
    private const double Tolerance = 1e-4;
    private readonly string _folder = Directory.CreateTempSubdirectory("hf-minilm-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (long[] Ids, long[] Types, long[] Mask, int Batch, int Seq) Inputs()
    {
        BertTokenizer tokenizer;
        using (Stream vocab = AllMiniLmL6V2.OpenVocabulary()) tokenizer = BertTokenizer.Create(vocab);
        var rows = new List<(long[] Ids, long[] Types)>();
        foreach (string s in new[] { "The quick brown fox jumps over the lazy dog.", "I loved this movie!" })
        {
            long[] ids = [.. tokenizer.EncodeToIds(s).Select(i => (long)i)];
            rows.Add((ids, new long[ids.Length]));
        }
        IReadOnlyList<int> a = tokenizer.EncodeToIds("A man is playing a guitar.", addSpecialTokens: false);
        IReadOnlyList<int> b = tokenizer.EncodeToIds("Someone plays an instrument.", addSpecialTokens: false);
        rows.Add(([101, .. a.Select(i => (long)i), 102, .. b.Select(i => (long)i), 102],
            [.. Enumerable.Repeat(0L, a.Count + 2), .. Enumerable.Repeat(1L, b.Count + 1)]));
        int batch = rows.Count, seq = rows.Max(r => r.Ids.Length);
        var inputIds = new long[batch * seq];
        var types = new long[batch * seq];
        var mask = new long[batch * seq];
        for (int n = 0; n < batch; n++)
        {
            rows[n].Ids.CopyTo(inputIds, n * seq);
            rows[n].Types.CopyTo(types, n * seq);
            Array.Fill(mask, 1L, n * seq, rows[n].Ids.Length);
        }
        return (inputIds, types, mask, batch, seq);
    }

    private void AssertMatchesOnnx(MultiExitEncoder model, string what)
    {
        var (ids, types, mask, batch, seq) = Inputs();
        ModelProto onnx;
        using (Stream s = AllMiniLmL6V2.OpenOnnxModel()) onnx = ModelProto.Parser.ParseFrom(s);
        float[][] expected = AllMiniLmL6V2Tests.RunOnnxWithLayerOutputs(onnx, ids, types, mask, batch, seq);
        var (states, logits) = HuggingFaceImportTests.Run(model, ids, types, mask, batch, seq);
        Assert.Equal(6, states.Length);
        for (int k = 0; k < 6; k++)
        {
            double d = 0;
            for (int i = 0; i < states[k].Length; i++) d = Math.Max(d, Math.Abs(expected[k + 1][i] - states[k][i]));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what} layer {k}: max |imported − onnxruntime| = {d:E2}"));
            Assert.True(d <= Tolerance, $"{what} layer {k}: {d:E2}");
        }

        // The exits' logits are the heads applied to those states: RunExit on ONNX Runtime's states agrees.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor maskTensor = tensor(mask, batch, seq);
        for (int k = 0; k < 6; k++)
        {
            float[] fromOnnx = model.RunExit(k, tensor(expected[k + 1], batch, seq, 384), maskTensor).data<float>().ToArray();
            for (int i = 0; i < fromOnnx.Length; i++) Assert.True(Math.Abs(fromOnnx[i] - logits[k][i]) <= 1e-3, $"{what} exit {k}: {fromOnnx[i]} vs {logits[k][i]}");
        }
        // And the forward computes exactly those: its exit logits equal RunExit on RunLayer's states.
        Tensor all = model.call(tensor(ids, batch, seq), tensor(types, batch, seq), maskTensor);
        for (int k = 0; k < 6; k++) Assert.Equal(logits[k], all[k].data<float>().ToArray());
    }

    [Fact]
    public void ExportedAsBertForSequenceClassificationAndImportedMatchesOnnxRuntime()
    {
        using MultiExitEncoder original = AllMiniLmL6V2.CreateEncoder(EncoderConfig.AllMiniLmL6V2(3) with { Pooling = ExitPooling.Cls });
        HuggingFaceModel.Write(original, ["a", "b", "c"], _folder);
        JsonNode config = JsonNode.Parse(File.ReadAllText(Path.Combine(_folder, "config.json")))!;
        Assert.Equal("bert", config["model_type"]!.GetValue<string>());
        Assert.Equal("BertForSequenceClassification", config["architectures"]![0]!.GetValue<string>());
        Assert.Equal(384, config["hidden_size"]!.GetValue<int>());

        ImportedModel imported = HuggingFaceModel.Load(_folder);
        using MultiExitEncoder model = imported.Model;
        Assert.True(imported.HasClassifierHead);
        Assert.Equal(["a", "b", "c"], imported.LabelNames);
        Assert.Equal(original.Config, model.Config);
        AssertMatchesOnnx(model, "classifier");

        // The exits equal the original model's, bit for bit.
        var (ids, types, mask, batch, seq) = Inputs();
        var (_, mine) = HuggingFaceImportTests.Run(model, ids, types, mask, batch, seq);
        var (_, theirs) = HuggingFaceImportTests.Run(original, ids, types, mask, batch, seq);
        for (int k = 0; k < 6; k++) Assert.Equal(theirs[k], mine[k]);
    }

    [Fact]
    public void BareUnprefixedBertModelImportsWithNewMeanPooledHeads()
    {
        using (MultiExitEncoder original = AllMiniLmL6V2.CreateEncoder(EncoderConfig.AllMiniLmL6V2(3) with { Pooling = ExitPooling.Cls }))
            HuggingFaceModel.Write(original, ["a", "b", "c"], _folder);
        // What a sentence-transformers folder holds: BertModel keys without "bert.", a pooler, the position_ids buffer.
        string weightsPath = Path.Combine(_folder, "model.safetensors");
        var weights = SafetensorsFile.Read(weightsPath, m => new InvalidOperationException(m));
        var bare = weights.Where(kv => kv.Key.StartsWith("bert.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["bert.".Length..], kv => kv.Value);
        Assert.Contains("pooler.dense.weight", bare.Keys);
        bare["embeddings.position_ids"] = arange(512).unsqueeze(0).to_type(ScalarType.Float32);
        SafetensorsFile.Write(weightsPath, bare);
        File.Delete(Path.Combine(_folder, HuggingFaceModel.ExitHeadsFileName));

        ImportedModel imported = HuggingFaceModel.Load(_folder, new HuggingFaceImportOptions { ClassCount = 2, Pooling = ExitPooling.Mean, Seed = 5 });
        using MultiExitEncoder model = imported.Model;
        Assert.False(imported.HasClassifierHead);
        Assert.Equal(ExitPooling.Mean, model.Config.Pooling);
        Assert.Equal(["LABEL_0", "LABEL_1"], imported.LabelNames);
        AssertMatchesOnnx(model, "bare");

        // The new heads are seeded: the same seed gives the same heads, another seed others.
        using MultiExitEncoder same = HuggingFaceModel.Load(_folder, new HuggingFaceImportOptions { ClassCount = 2, Pooling = ExitPooling.Mean, Seed = 5 }).Model;
        using MultiExitEncoder other = HuggingFaceModel.Load(_folder, new HuggingFaceImportOptions { ClassCount = 2, Pooling = ExitPooling.Mean, Seed = 6 }).Model;
        Tensor w = model.state_dict()["exits.0.classifier.weight"];
        Assert.True(w.eq(same.state_dict()["exits.0.classifier.weight"]).all().item<bool>());
        Assert.False(w.eq(other.state_dict()["exits.0.classifier.weight"]).all().item<bool>());
    }
}
