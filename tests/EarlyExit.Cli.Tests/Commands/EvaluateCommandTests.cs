using System.Text.Json.Nodes;
using EarlyExit.Cli.Tests.TestDoubles;
using EarlyExit.Core.Traces;

namespace EarlyExit.Cli.Tests.Commands;

/// <summary>evaluate --backend: traces recorded with ONNX Runtime, kept apart from TorchSharp's in the cache.</summary>
[Collection(MiniLmCollection.Name)]
public sealed class EvaluateCommandTests(TrainedModelFixture model)
{
    [Fact]
    public void The_onnx_backend_records_its_own_traces_within_1e_4_of_torchs()
    {
        string copy = model.CopyModel();
        string testTrace = Path.Combine(copy, "test.eetrace");
        string[] evaluate = ["evaluate", "--model", copy, "--data", model.DataSpec];
        CliRun torch = CliRun.Of(evaluate);
        Assert.True(torch.Status == 0, torch.Error);
        ExitTrace torchTrace = ExitTraceFile.Read(testTrace);

        CliRun onnx = CliRun.Of([.. evaluate, "--backend", "onnx", "--onnx-threads", "1"]);
        CliRun again = CliRun.Of([.. evaluate, "--backend", "onnx", "--onnx-threads", "1"]);

        Assert.True(onnx.Status == 0, onnx.Error);
        // Both splits' cached traces were TorchSharp's: each is recorded again, with ONNX Runtime.
        Assert.Contains($"cached trace {testTrace} was recorded with torch; recording it with onnx", onnx.Error);
        Assert.Contains("validation examples with onnx", onnx.Error, StringComparison.Ordinal);
        Assert.Contains("test examples with onnx", onnx.Error, StringComparison.Ordinal);
        JsonObject manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(copy, "traces.json")))!.AsObject();
        Assert.Equal("onnx", (string?)manifest["validation"]!["backend"]);
        Assert.Equal("onnx", (string?)manifest["test"]!["backend"]);
        // The next onnx evaluation reads them from the cache.
        Assert.True(again.Status == 0, again.Error);
        Assert.DoesNotContain("recording", again.Error, StringComparison.Ordinal);
        Assert.Equal(onnx.Out, again.Out);

        ExitTrace onnxTrace = ExitTraceFile.Read(testTrace);
        Assert.Equal(torchTrace.Labels.ToArray(), onnxTrace.Labels.ToArray());
        Assert.Equal(torchTrace.ExitCount, onnxTrace.ExitCount);
        Assert.Equal(torchTrace.AllLogits.Length, onnxTrace.AllLogits.Length);
        for (int i = 0; i < torchTrace.AllLogits.Length; i++)
            Assert.True(Math.Abs(torchTrace.AllLogits[i] - onnxTrace.AllLogits[i]) <= 1e-4, $"logit {i}: {onnxTrace.AllLogits[i]} on onnx, {torchTrace.AllLogits[i]} on torch");
        // Every exit's prediction (argmax) is the same: for this model no two logits are within 1e-4 of a tie.
        for (int n = 0; n < torchTrace.SampleCount; n++)
        {
            for (int m = 0; m < torchTrace.ExitCount; m++)
                Assert.Equal(ArgMax(torchTrace.Logits(n, m)), ArgMax(onnxTrace.Logits(n, m)));
        }
        Assert.Equal(torchTrace.CumulativeFlops.ToArray(), onnxTrace.CumulativeFlops.ToArray());
    }

    [Fact]
    public void A_cache_entry_without_a_backend_is_torchs()
    {
        string copy = model.CopyModel();
        string[] evaluate = ["evaluate", "--model", copy, "--data", model.DataSpec];
        Assert.Equal(0, CliRun.Of(evaluate).Status);
        // A manifest written before the backend was recorded.
        string manifestPath = Path.Combine(copy, "traces.json");
        JsonObject manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        foreach (var (_, entry) in manifest) entry!.AsObject().Remove("backend");
        File.WriteAllText(manifestPath, manifest.ToJsonString());

        CliRun run = CliRun.Of(evaluate);

        Assert.True(run.Status == 0, run.Error);
        Assert.DoesNotContain("recording", run.Error, StringComparison.Ordinal);
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best]) best = i;
        }
        return best;
    }
}
