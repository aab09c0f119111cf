using System.Text.Json.Nodes;
using EarlyExit.Cli.Outputs;
using EarlyExit.Cli.Tests.TestDoubles;

namespace EarlyExit.Cli.Tests.Commands;

/// <summary>
/// Issue #15 item 4: each of these used to be an internal error (status 2), some only after the
/// expensive work; each is now status 1, one line on stderr, said before any data is loaded.
/// </summary>
[Collection(MiniLmCollection.Name)]
public sealed class UserErrorTests(TrainedModelFixture model)
{
    private string Fresh(string name) => Path.Combine(model.Root, name + "-" + Guid.NewGuid().ToString("N"));

    private static void AssertUserError(CliRun run, string expected)
    {
        Assert.True(run.Status == 1, $"status {run.Status}: {run.Error}");
        string line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("earlyexit: ", line);
        Assert.Contains(expected, line);
    }

    [Fact]
    public void Train_out_naming_a_file_is_refused_before_the_data_is_loaded()
    {
        string file = Fresh("a-file");
        File.WriteAllText(file, "not a folder");

        CliRun run = CliRun.Of("train", "--data", model.DataSpec, "--out", file, "--freeze-backbone", "--epochs", "1");

        AssertUserError(run, $"--out {file}: is a file; it must name a folder");
    }

    [Fact]
    public void Train_out_in_a_folder_nobody_can_write_is_refused_before_the_data_is_loaded()
    {
        // Tests run as root, which ignores permission bits (chmod 555 proves nothing), but no one can
        // create files in /proc: the same probe that catches a read-only folder catches it.
        if (!Directory.Exists("/proc/self")) return; // needs Linux's /proc, a folder even root cannot write in
        CliRun run = CliRun.Of("train", "--data", model.DataSpec, "--out", "/proc/earlyexit-model", "--epochs", "1");

        AssertUserError(run, "--out /proc/earlyexit-model: cannot write in /proc");
    }

    [Fact]
    public void A_model_folder_nobody_can_write_is_refused_by_the_output_check()
    {
        if (!Directory.Exists("/proc/self")) return; // as above
        var e = Assert.Throws<CliException>(() => OutputPath.RequireFolder("--model", "/proc"));
        Assert.Contains("--model /proc: cannot write in /proc", e.Message);
    }

    [Fact]
    public void An_output_under_a_file_is_refused()
    {
        string file = Fresh("parent-file");
        File.WriteAllText(file, "");

        var e = Assert.Throws<CliException>(() => OutputPath.RequireFile("--json", Path.Combine(file, "sub", "out.json")));
        Assert.Contains($"{file} is a file, so nothing can be created under it", e.Message);
    }

    [Fact]
    public void Evaluate_json_naming_a_folder_is_refused_before_the_traces_are_read()
    {
        string folder = Directory.CreateDirectory(Fresh("json-folder")).FullName;

        CliRun run = CliRun.Of("evaluate", "--model", model.ModelPath, "--data", model.DataSpec, "--json", folder);

        AssertUserError(run, $"--json {folder}: is a folder; it must name a file");
    }

    [Fact]
    public void Report_out_naming_a_file_is_refused_before_the_evaluation()
    {
        string file = Fresh("report-file");
        File.WriteAllText(file, "");

        CliRun run = CliRun.Of("report", "--model", model.ModelPath, "--data", model.DataSpec, "--out", file);

        AssertUserError(run, $"--out {file}: is a file; it must name a folder");
    }

    [Theory]
    [InlineData("predict", "hello")]
    [InlineData("calibrate", "--data", "csv:x.csv")]
    [InlineData("evaluate", "--data", "csv:x.csv")]
    [InlineData("report", "--data", "csv:x.csv", "--out", "r")]
    public void An_empty_model_name_is_a_user_error(string command, params string[] rest)
    {
        CliRun run = CliRun.Of([command, "--model", "", .. rest]);

        AssertUserError(run, "the folder name is empty");
    }

    [Theory]
    [InlineData("train", "--data", "csv:x.csv")]
    [InlineData("demo")]
    public void An_empty_out_is_a_user_error(string command, params string[] rest)
    {
        // Was an internal error: the empty name reached Path.GetFullPath.
        CliRun run = CliRun.Of([command, .. rest, "--out", ""]);

        AssertUserError(run, "--out: the name is empty");
    }

    [Fact]
    public void A_test_trace_that_is_a_folder_is_refused_before_recording()
    {
        string copy = model.CopyModel();
        string trace = Path.Combine(copy, "test.eetrace");
        File.Delete(trace);
        Directory.CreateDirectory(trace);

        CliRun run = CliRun.Of("evaluate", "--model", copy, "--data", model.DataSpec);

        AssertUserError(run, "test.eetrace is a folder");
        Assert.DoesNotContain("recording", run.Error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(600)]
    public void A_tokenizer_length_outside_the_encoders_positions_names_both_numbers(int maxLength)
    {
        string copy = model.CopyModel();
        string metadataPath = Path.Combine(copy, "checkpoint.json");
        var metadata = JsonNode.Parse(File.ReadAllText(metadataPath))!.AsObject();
        JsonObject tokenizer = metadata.First(p => p.Key.Equals("tokenizer", StringComparison.OrdinalIgnoreCase)).Value!.AsObject();
        string key = tokenizer.First(p => p.Key.Replace("_", "").Equals("maxlength", StringComparison.OrdinalIgnoreCase)).Key;
        tokenizer[key] = maxLength;
        File.WriteAllText(metadataPath, metadata.ToJsonString());

        CliRun run = CliRun.Of("predict", "--model", copy, string.Join(' ', Enumerable.Repeat("free money now", 300)));

        AssertUserError(run, $"the tokenizer's maximum length is {maxLength}; it must be between 3 and the encoder's 512 positions");
    }

    [Theory]
    [InlineData("--threads")]
    [InlineData("--onnx-threads")]
    public void A_thread_count_beyond_four_per_core_is_refused(string option)
    {
        CliRun run = CliRun.Of("predict", "--model", model.ModelPath, option, "100000", "hello");

        AssertUserError(run, $"{option} must be at most {4 * Environment.ProcessorCount} (4 × this machine's {Environment.ProcessorCount} cores); got 100000");
    }

    [Fact]
    public void Train_refuses_data_whose_validation_or_test_split_is_empty()
    {
        string folder = Directory.CreateDirectory(Fresh("two-rows")).FullName;
        string csv = Path.Combine(folder, "two.csv");
        File.WriteAllText(csv, "text,label\nfree money now,spam\nlunch at noon,ham\n");

        CliRun run = CliRun.Of("train", "--data", "csv:" + csv, "--out", Path.Combine(folder, "model"), "--freeze-backbone", "--epochs", "1");

        Assert.True(run.Status == 1, run.Error);
        Assert.Contains("split is empty", run.ErrorLines[^1]);
        Assert.DoesNotContain("training", run.Error);
    }
}
