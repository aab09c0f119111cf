using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EarlyExit.Core.Calibration;
using EarlyExit.Tests.Shared;
using EarlyExit.Server.Tests.TestDoubles;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EarlyExit.Server.Tests.Api;

/// <summary>POST /v1/feedback: realised accuracy over a window, and the drift alarm against the promise.</summary>
public sealed class FeedbackTests
{
    [Fact]
    public async Task Accuracy_falling_below_the_target_raises_the_alarm_exactly_when_the_bound_drops_below_it()
    {
        var lines = new ConcurrentQueue<string>();
        await using var factory = new ServerFactory(new ServerOptions { AccuracyTarget = 0.9, FeedbackSample = 20, FeedbackMinimum = 10 });
        using var logged = factory.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(new CapturedLogs(lines))));
        HttpClient client = logged.CreateClient();
        var answers = await Classify(client, [.. TestModel.Sentences.Take(40)]);

        // 15 answers confirmed right: 15/15, upper bound 1 ≥ 0.9: no alarm.
        JsonElement summary = default;
        for (int i = 0; i < 15; i++) summary = await Feedback(client, answers[i].Id, answers[i].Label);
        Assert.False(summary.GetProperty("alarm").GetBoolean());
        Assert.Equal(1.0, summary.GetProperty("accuracy").GetDouble());
        Assert.Equal(15, summary.GetProperty("checkedCount").GetInt32());

        // Then wrong ones. With c = 15 right of n in the window (n ≤ 20), the 95% upper bound is
        // Clopper–Pearson's; the alarm must switch on at the first wrong answer that brings it under 0.9.
        int expectedAt = Enumerable.Range(1, 20).First(w => ClopperPearson.Upper(15 - Math.Max(0, 15 + w - 20), Math.Min(20, 15 + w), 0.05) < 0.9);
        for (int w = 1; w <= 20; w++)
        {
            var (id, label) = answers[15 + w - 1];
            summary = await Feedback(client, id, label == TestModel.LabelNames[0] ? TestModel.LabelNames[1] : TestModel.LabelNames[0]);
            Assert.Equal(w >= expectedAt, summary.GetProperty("alarm").GetBoolean());
        }
        Assert.Equal(0.0, summary.GetProperty("accuracy").GetDouble()); // the window now holds the 20 wrong ones
        Assert.Equal(20, summary.GetProperty("count").GetInt32());
        Assert.Equal(0.9, summary.GetProperty("target").GetDouble());
        // 0 of 20: the upper bound is 1 − 0.05^(1/20) = 0.1391.
        Assert.Equal(1 - Math.Pow(0.05, 1.0 / 20), summary.GetProperty("upperBound").GetDouble(), 6);

        string metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("earlyexit_feedback_alarm 1", metrics);
        Assert.Contains("earlyexit_feedback_accuracy{exit=\"all\"} 0", metrics);
        Assert.Contains("earlyexit_feedback_total 35", metrics);
        JsonElement model = JsonDocument.Parse(await client.GetStringAsync("/v1/model")).RootElement;
        Assert.True(model.GetProperty("feedback").GetProperty("alarm").GetBoolean());
        Assert.Single(lines, l => l.Contains("feedback alarm: realised accuracy 0.", StringComparison.Ordinal) && l.Contains("is below the 0.900 promised by --accuracy-target 0.9", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Per_exit_rates_and_agreement_with_the_full_model_are_counted()
    {
        await using var factory = new ServerFactory();
        HttpClient client = factory.CreateClient();
        var answers = await Classify(client, [.. TestModel.Sentences.Take(8)]);
        JsonElement summary = default;
        foreach (var (id, label) in answers) summary = await Feedback(client, id, label);

        // Every answer confirmed as given: accuracy 1 at each exit used; agreement is each answer against
        // the full model's (run again for the early ones), which the offline model gives too.
        int agree = TestModel.Sentences.Take(8).Count(t => TestModel.RunOffline(t, null).Prediction == TestModel.RunOffline(t, new("static", 6)).Prediction);
        Assert.Equal(1.0, summary.GetProperty("accuracy").GetDouble());
        Assert.Equal(agree / 8.0, summary.GetProperty("agreement").GetDouble(), 12);
        Assert.Equal(8, summary.GetProperty("exits").EnumerateArray().Sum(e => e.GetProperty("count").GetInt32()));
        // The test model's calibration promises PCEE's δ on correctness.
        Assert.Equal("accuracy", summary.GetProperty("promised").GetString());
        Assert.Equal(TestModel.Offline.Calibration!.DefaultPolicy.Parameter, summary.GetProperty("target").GetDouble());
    }

    [Fact]
    public async Task Unknown_scored_and_evicted_ids_are_404s_and_a_bad_label_is_a_400()
    {
        await using var factory = new ServerFactory(new ServerOptions { FeedbackWindow = 3 });
        HttpClient client = factory.CreateClient();
        var answers = await Classify(client, ["one", "two", "three", "four"]);

        await AssertProblem(client, new { id = "zzz", label = "positive" }, HttpStatusCode.NotFound, "no answer with id 'zzz': ids come from the results of POST /v1/classify");
        // The window holds the last 3 answers: the first is gone.
        await AssertProblem(client, new { id = answers[0].Id, label = "positive" }, HttpStatusCode.NotFound,
            $"answer '{answers[0].Id}' is no longer open for feedback: it already received feedback, or it left the window of the last 3 answers (FeedbackWindow); feedback must arrive within that window");
        await AssertProblem(client, new { id = answers[1].Id, label = "maybe" }, HttpStatusCode.BadRequest,
            "'label' must be one of the model's labels (negative, positive) or a class index 0..1; got \"maybe\"");
        await AssertProblem(client, new { id = answers[1].Id, label = 2 }, HttpStatusCode.BadRequest,
            "'label' must be one of the model's labels (negative, positive) or a class index 0..1; got 2");
        Assert.Equal(1, (await Feedback(client, answers[1].Id, 1)).GetProperty("count").GetInt32()); // by index; the bad labels did not use it up
        await AssertProblem(client, new { id = answers[1].Id, label = "positive" }, HttpStatusCode.NotFound, $"answer '{answers[1].Id}' is no longer open for feedback");
        await AssertProblem(client, new { label = "positive" }, HttpStatusCode.BadRequest, "'id' is required");
    }

    [Fact]
    public async Task A_risk_controlled_default_policy_states_its_guarantee_and_the_alarm_checks_its_promise()
    {
        // The test model with a Learn-then-Test choice stored by hand (as calibrate --risk stores it).
        string folder = CalibratedMiniLm.TemporaryFolder("earlyexit-risk-");
        foreach (string file in Directory.EnumerateFiles(TestModel.Directory)) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        string checkpoint = Path.Combine(folder, "checkpoint.json");
        var metadata = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(checkpoint))!.AsObject();
        ExitCalibration calibration = ExitCalibrationJson.FromJsonObject(metadata["calibration"]!.AsObject(), checkpoint);
        var choice = new Core.RiskControl.RiskControlledChoice(new Core.RiskControl.RiskLimit(Core.RiskControl.RiskMeasure.Disagreement, 0.05, 0.1),
            "max-prob", [new Core.RiskControl.RiskControlStep(0.99, 0.01, 0.02, 1.5)], 1, 40, 6);
        metadata["calibration"] = ExitCalibrationJson.ToJsonObject(calibration.WithRiskControl(choice));
        File.WriteAllText(checkpoint, metadata.ToJsonString());

        await using var factory = new ServerFactory(new ServerOptions { ModelDirectory = folder });
        JsonElement model = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/v1/model")).RootElement;

        Assert.Equal(choice.Describe(), model.GetProperty("calibration").GetProperty("guarantee").GetString());
        Assert.Equal("disagreement:0.05", model.GetProperty("calibration").GetProperty("riskLimit").GetString());
        Assert.Equal(0.9, model.GetProperty("calibration").GetProperty("confidence").GetDouble(), 12);
        Assert.Equal("max-prob", model.GetProperty("defaultPolicy").GetProperty("name").GetString());
        Assert.Equal(0.99, model.GetProperty("defaultPolicy").GetProperty("parameter").GetDouble());
        // Disagreement ≤ 5 %: the alarm holds agreement with the full model to 0.95.
        JsonElement feedback = model.GetProperty("feedback");
        Assert.Equal("agreement", feedback.GetProperty("promised").GetString());
        Assert.Equal(0.95, feedback.GetProperty("target").GetDouble(), 12);
        Assert.Equal("calibrate --risk disagreement:0.05", feedback.GetProperty("source").GetString());
    }

    [Fact]
    public async Task The_online_refit_adds_each_feedback_to_pcees_diagrams_and_the_served_pcee_uses_them()
    {
        await using var factory = new ServerFactory(new ServerOptions { FeedbackRefit = true });
        HttpClient client = factory.CreateClient();
        string[] texts = [.. TestModel.Sentences.Take(6)];
        var answers = await Classify(client, texts);
        JsonElement summary = default;
        // Each answer scored against the other label: every exit's hit count stays, its count grows.
        foreach (var (id, label) in answers)
            summary = await Feedback(client, id, label == TestModel.LabelNames[0] ? TestModel.LabelNames[1] : TestModel.LabelNames[0]);
        Assert.Equal(6, summary.GetProperty("refitSamples").GetInt32());

        var monitor = factory.Services.GetRequiredService<Feedback.FeedbackMonitor>();
        ExitCalibration stored = TestModel.Offline.Calibration!, refitted = monitor.Refit!.Calibration;
        int bins = stored.Diagrams[0].BinCount;
        for (int m = 0; m < stored.ExitCount; m++)
        {
            // By hand from the offline model: each text's confidence at exit m picks a bin; a hit is
            // the exit's answer equal to the label sent (the opposite of the served answer's label).
            var counts = stored.Diagrams[m].Counts.ToArray();
            var hits = stored.Diagrams[m].CorrectCounts.ToArray();
            for (int i = 0; i < texts.Length; i++)
            {
                var run = new Feedback.ObservingFullRun(stored.ExitCount);
                TestModel.Offline.Classify([texts[i]], run);
                int bin = ReliabilityDiagram.BinOf(run.Seen[m].MaxProb, bins);
                counts[bin]++;
                int sent = Array.IndexOf(TestModel.LabelNames, answers[i].Label) == 0 ? 1 : 0;
                if (run.Seen[m].Prediction == sent) hits[bin]++;
            }
            Assert.Equal(counts, refitted.Diagrams[m].Counts.ToArray());
            Assert.Equal(hits, refitted.Diagrams[m].CorrectCounts.ToArray());
        }
        // PCEE as served is built on the re-fitted diagrams; other policies are the model's own.
        var pcee = Assert.IsType<Core.Policies.PceePolicy>(monitor.Resolve(new Core.Catalog.PolicySpec("pcee", 0.9)));
        Assert.Equal(refitted.Diagrams[0].Counts.ToArray(), pcee.Diagrams[0].Counts.ToArray());
        Assert.Equal(TestModel.Offline.ResolvePolicy(new Core.Catalog.PolicySpec("max-prob", 0.9)), monitor.Resolve(new Core.Catalog.PolicySpec("max-prob", 0.9)));

        // Off by default: no re-fit, and the summary says so.
        await using var plain = new ServerFactory();
        HttpClient other = plain.CreateClient();
        var one = await Classify(other, [texts[0]]);
        Assert.Equal(JsonValueKind.Null, (await Feedback(other, one[0].Id, one[0].Label)).GetProperty("refitSamples").ValueKind);
    }

    private static async Task<(string Id, string Label)[]> Classify(HttpClient client, string[] texts)
    {
        var response = await client.PostAsJsonAsync("/v1/classify", new { inputs = texts });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        JsonElement body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var results = body.GetProperty("results").EnumerateArray().Select(r => (r.GetProperty("id").GetString()!, r.GetProperty("label").GetString()!)).ToArray();
        Assert.Equal(texts.Length, results.Select(r => r.Item1).Distinct().Count()); // every answer has its own id
        return results;
    }

    private static async Task<JsonElement> Feedback(HttpClient client, string id, object label)
    {
        var response = await client.PostAsJsonAsync("/v1/feedback", new { id, label });
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement;
    }

    private static async Task AssertProblem(HttpClient client, object body, HttpStatusCode status, string detail)
    {
        var response = await client.PostAsJsonAsync("/v1/feedback", body);
        Assert.Equal(status, response.StatusCode);
        string actual = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;
        Assert.StartsWith(detail, actual);
    }
}
