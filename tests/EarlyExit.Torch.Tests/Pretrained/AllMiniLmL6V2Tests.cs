using System.Globalization;
using EarlyExit.Torch.Models;
using EarlyExit.Torch.Pretrained;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;
using Onnx;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace EarlyExit.Torch.Tests.Pretrained;

/// <summary>
/// The imported encoder reproduces ONNX Runtime running the very file it was imported from,
/// layer by layer, on real sentences.
/// </summary>
public sealed class AllMiniLmL6V2Tests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    [Fact]
    public void HiddenStatesAfterEveryLayerMatchOnnxRuntime()
    {
        // Three single sentences of different lengths (so rows are padded) and one pair (token types 0 then 1).
        var rows = new List<(long[] Ids, long[] Types)>();
        BertTokenizer tokenizer;
        using (Stream vocab = AllMiniLmL6V2.OpenVocabulary()) tokenizer = BertTokenizer.Create(vocab);
        foreach (string s in new[]
        {
            "The quick brown fox jumps over the lazy dog.",
            "Early exiting stops computing once an input is easy.",
            "I loved this movie!",
        })
        {
            long[] ids = [.. tokenizer.EncodeToIds(s).Select(i => (long)i)]; // [CLS] pieces [SEP]
            rows.Add((ids, new long[ids.Length]));
        }
        {
            IReadOnlyList<int> a = tokenizer.EncodeToIds("A man is playing a guitar.", addSpecialTokens: false);
            IReadOnlyList<int> b = tokenizer.EncodeToIds("Someone plays an instrument.", addSpecialTokens: false);
            long[] ids = [101, .. a.Select(i => (long)i), 102, .. b.Select(i => (long)i), 102]; // [CLS] a [SEP] b [SEP]
            long[] types = [.. Enumerable.Repeat(0L, a.Count + 2), .. Enumerable.Repeat(1L, b.Count + 1)];
            rows.Add((ids, types));
        }
        int batch = rows.Count, seq = rows.Max(r => r.Ids.Length);
        // (batch, seq), right-padded with [PAD] = 0, mask 0 and type 0.
        var inputIds = new long[batch * seq];
        var tokenTypes = new long[batch * seq];
        var mask = new long[batch * seq];
        for (int n = 0; n < batch; n++)
        {
            rows[n].Ids.CopyTo(inputIds, n * seq);
            rows[n].Types.CopyTo(tokenTypes, n * seq);
            Array.Fill(mask, 1L, n * seq, rows[n].Ids.Length);
        }
        Assert.Equal(101, inputIds[0]); // the vocabulary's [CLS]

        ModelProto onnx;
        using (Stream s = AllMiniLmL6V2.OpenOnnxModel()) onnx = ModelProto.Parser.ParseFrom(s);
        float[][] expected = RunOnnxWithLayerOutputs(onnx, inputIds, tokenTypes, mask, batch, seq);
        float[][] actual = RunTorch(inputIds, tokenTypes, mask, batch, seq);

        Assert.Equal(7, expected.Length); // embeddings + 6 layers
        var failures = new List<string>();
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.Equal(batch * seq * 384, actual[k].Length);
            double maxDiff = 0;
            for (int i = 0; i < expected[k].Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(expected[k][i] - actual[k][i]));
            string what = k == 0 ? "embeddings" : $"layer {k}";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: max |torch − onnxruntime| = {maxDiff:E2}"));
            if (!(maxDiff <= Tolerance)) failures.Add(string.Create(CultureInfo.InvariantCulture, $"{what}: {maxDiff:E2}"));
        }
        Assert.True(failures.Count == 0, $"max abs difference above {Tolerance}: {string.Join("; ", failures)}");
    }

    /// <summary>The embeddings' and every layer's output, each (batch, seq, 384) flattened.</summary>
    private static float[][] RunTorch(long[] inputIds, long[] tokenTypes, long[] mask, int batch, int seq)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using MultiExitEncoder model = AllMiniLmL6V2.CreateEncoder(classCount: 2);
        model.eval();
        Tensor maskTensor = tensor(mask, batch, seq);
        Tensor bias = MultiExitEncoder.AttentionBias(maskTensor);
        Tensor hidden = model.Embed(tensor(inputIds, batch, seq), tensor(tokenTypes, batch, seq));
        var states = new List<float[]> { hidden.data<float>().ToArray() };
        for (int k = 0; k < model.LayerCount; k++)
        {
            hidden = model.RunLayer(k, hidden, bias);
            states.Add(hidden.data<float>().ToArray());
        }
        return [.. states];
    }

    /// <summary>
    /// Runs the ONNX file with the output of the embeddings' LayerNorm and of every layer's
    /// final LayerNorm added as graph outputs: each is the Add that applies that LayerNorm's
    /// named bias (the exporter decomposes LayerNorm into ReduceMean … Mul, Add).
    /// </summary>
    internal static float[][] RunOnnxWithLayerOutputs(ModelProto onnx, long[] inputIds, long[] tokenTypes, long[] mask, int batch, int seq)
    {
        string[] biases = ["embeddings.LayerNorm.bias", .. Enumerable.Range(0, 6).Select(k => $"encoder.layer.{k}.output.LayerNorm.bias")];
        string[] names = [.. biases.Select(b => onnx.Graph.Node.Single(n => n.OpType == "Add" && n.Input.Contains(b)).Output[0])];
        ModelProto edited = onnx.Clone();
        foreach (string name in names)
        {
            edited.Graph.Output.Add(new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        }

        using var session = new InferenceSession(edited.ToByteArray());
        long[] shape = [batch, seq];
        using var ids = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
        using var types = OrtValue.CreateTensorValueFromMemory(tokenTypes, shape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
        var inputs = new Dictionary<string, OrtValue> { ["input_ids"] = ids, ["token_type_ids"] = types, ["attention_mask"] = maskValue };
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, inputs, names);
        return [.. results.Select(r => r.GetTensorDataAsSpan<float>().ToArray())];
    }
}
