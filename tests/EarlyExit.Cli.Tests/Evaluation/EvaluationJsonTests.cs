using System.Text.Json;
using EarlyExit.Cli.Evaluation;
using EarlyExit.Cli.Tests.TestDoubles;
using EarlyExit.Core.Calibration;
using EarlyExit.Core.Evaluation;

namespace EarlyExit.Cli.Tests.Evaluation;

public sealed class EvaluationJsonTests
{
    private static readonly TraceEvaluator Validation = new(RandomTraces.Create(300, seed: 3));
    private static readonly EvaluationResult Result = PolicyBenchmark.Run(ExitCalibration.Fit(Validation), Validation, Validation, "validation");

    [Fact]
    public void Every_row_carries_the_measures_of_its_evaluation()
    {
        using var document = JsonDocument.Parse(EvaluationJson.ToUtf8(Result, "/m", "csv:x.csv"));
        JsonElement root = document.RootElement;
        var rows = root.GetProperty("rows").EnumerateArray().ToList();

        Assert.Equal(Result.Rows.Length, rows.Count);
        Assert.Equal("csv:x.csv", root.GetProperty("data").GetString());
        Assert.Equal(Result.FinalExitAccuracy, root.GetProperty("final_exit_accuracy").GetDouble());
        for (int i = 0; i < rows.Count; i++)
        {
            PolicyEvaluation expected = Result.Rows[i].Result;
            Assert.Equal(Result.Rows[i].Policy, rows[i].GetProperty("policy").GetString());
            Assert.Equal(expected.Accuracy, rows[i].GetProperty("accuracy").GetDouble());
            Assert.Equal(expected.MacroF1, rows[i].GetProperty("macro_f1").GetDouble());
            Assert.Equal(expected.SpeedupRatio, rows[i].GetProperty("speedup").GetDouble());
            Assert.Equal(expected.ExpectedCompute, rows[i].GetProperty("expected_compute").GetDouble());
            Assert.Equal(expected.ExitCounts, rows[i].GetProperty("exit_counts").EnumerateArray().Select(c => c.GetInt32()));
        }
    }

    [Fact]
    public void Undefined_values_are_null()
    {
        using var document = JsonDocument.Parse(EvaluationJson.ToUtf8(Result, "/m", "csv:x.csv"));
        var rows = document.RootElement.GetProperty("rows").EnumerateArray().ToList();

        // The oracles have no parameter.
        JsonElement oracle = rows.Single(r => r.GetProperty("policy").GetString() == "oracle");
        Assert.Equal(JsonValueKind.Null, oracle.GetProperty("parameter").ValueKind);
        Assert.Equal("bound", oracle.GetProperty("selection").GetString());
        // BEEM with eq. 3 thresholds has one α per exit, not one parameter.
        JsonElement beem = rows.First(r => r.GetProperty("policy").GetString() == "beem-a");
        Assert.Equal(JsonValueKind.Null, beem.GetProperty("parameter").ValueKind);
        Assert.Equal("error-rate-thresholds", rows.First(r => r.GetProperty("policy").GetString() == "beem-a").GetProperty("selection").GetString());
    }
}
