using System.Collections.Immutable;
using EarlyExit.Classifier.Tests.TestDoubles;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Policies;
using EarlyExit.Data.Tokenization;
using EarlyExit.Onnx.Runtime;
using EarlyExit.Tests.Shared;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Runtime;

namespace EarlyExit.Classifier.Tests;

public sealed class EarlyExitClassifierTests
{
    // Every deployable catalog name with a parameter that lets some sentences out early: the
    // thresholds without a default get one, BEEM runs its eq. 3 thresholds, PCEE its calibrated δ.
    public static TheoryData<string, double?> DeployablePolicies()
    {
        var data = new TheoryData<string, double?>();
        foreach (string name in PolicyCatalog.DeployableNames)
        {
            double? parameter = name switch
            {
                "energy" => -1.0,
                "normalized-energy" => 0.2,
                "max-prob" => 0.6,
                "static" => 3,
                _ => null,
            };
            data.Add(name, parameter);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(DeployablePolicies))]
    public void Answers_as_the_runtime_does_for_every_deployable_policy_on_torch(string name, double? parameter) =>
        AssertSameAsRuntime(InferenceBackend.Torch, new PolicySpec(name, parameter));

    [Theory]
    [InlineData("max-prob", 0.6)]
    [InlineData("patience", 2.0)]
    [InlineData("beem-c", null)]
    [InlineData("pcee", null)]
    [InlineData("static", 6.0)]
    public void Answers_as_the_runtime_does_on_onnx(string name, double? parameter) =>
        AssertSameAsRuntime(InferenceBackend.Onnx, new PolicySpec(name, parameter));

    [Fact]
    public void Sixteen_threads_get_the_single_threaded_answers()
    {
        using var classifier = EarlyExitClassifier.Load(ModelFolders.Calibrated);
        IReadOnlyList<string> texts = CalibratedMiniLm.Sentences;
        ImmutableArray<Classification> expected = classifier.Classify(texts);
        var answers = new Classification[16][];

        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 16 }, thread =>
        {
            // Each thread takes its own slice (one text, or a batch) so calls of both shapes interleave.
            var mine = new List<Classification>();
            for (int i = thread; i < texts.Count; i += 16)
                mine.Add(thread % 2 == 0 ? classifier.Classify(texts[i]) : Task.Run(() => classifier.ClassifyAsync([texts[i]])).Result[0]);
            answers[thread] = [.. mine];
        });

        for (int thread = 0; thread < 16; thread++)
        {
            for (int k = 0; k < answers[thread].Length; k++)
            {
                Classification want = expected[thread + 16 * k], got = answers[thread][k];
                Assert.Equal((want.Label, want.ClassIndex, want.LayersExecuted), (got.Label, got.ClassIndex, got.LayersExecuted));
                // Alone in its batch a sentence is padded differently than among 40: the same up to float rounding.
                Assert.Equal(want.Probability, got.Probability, 1e-4f);
            }
        }
    }

    [Fact]
    public void A_batch_answers_each_text_as_it_is_answered_alone()
    {
        using var classifier = EarlyExitClassifier.Load(ModelFolders.Calibrated, new EarlyExitClassifierOptions { BatchSize = 7 });
        ImmutableArray<Classification> batched = classifier.Classify(CalibratedMiniLm.Sentences);

        Assert.Equal(CalibratedMiniLm.Sentences.Count, batched.Length);
        for (int i = 0; i < batched.Length; i++)
        {
            Classification alone = classifier.Classify(CalibratedMiniLm.Sentences[i]);
            Assert.Equal((alone.ClassIndex, alone.LayersExecuted), (batched[i].ClassIndex, batched[i].LayersExecuted));
            Assert.Equal(CalibratedMiniLm.LabelNames[alone.ClassIndex], alone.Label);
        }
    }

    [Theory]
    [InlineData(1)]     // every row alone (each over the budget)
    [InlineData(40)]    // a few short rows together
    [InlineData(100_000)] // the row limit decides
    public void Token_budget_batches_keep_the_input_order_and_each_texts_answer(int maxBatchTokens)
    {
        using var classifier = EarlyExitClassifier.Load(ModelFolders.Calibrated, new EarlyExitClassifierOptions { BatchSize = 5, MaxBatchTokens = maxBatchTokens });
        // Lengths mixed on purpose: a long text between short ones, so sorting reorders them.
        string[] texts = [.. CalibratedMiniLm.Sentences.Take(12).Select((t, i) => i % 3 == 1 ? string.Concat(Enumerable.Repeat(t + " ", 6)) : t)];
        ImmutableArray<Classification> batched = classifier.Classify(texts);
        Assert.Equal(texts.Length, batched.Length);
        for (int i = 0; i < texts.Length; i++)
        {
            Classification alone = classifier.Classify(texts[i]);
            Assert.Equal((alone.ClassIndex, alone.LayersExecuted), (batched[i].ClassIndex, batched[i].LayersExecuted));
            Assert.Equal(alone.Probabilities[alone.ClassIndex], batched[i].Probabilities[alone.ClassIndex], 1e-4);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyExitClassifierOptions { MaxBatchTokens = 0 }.Validate());
    }

    [Fact]
    public async Task A_disposed_classifier_refuses_calls_and_says_why()
    {
        var classifier = EarlyExitClassifier.Load(ModelFolders.Calibrated);
        classifier.Dispose();
        classifier.Dispose(); // twice is harmless

        var sync = Assert.Throws<ObjectDisposedException>(() => classifier.Classify("hello"));
        var async = await Assert.ThrowsAsync<ObjectDisposedException>(() => classifier.ClassifyAsync("hello"));

        Assert.Contains($"the classifier of {Path.GetFullPath(ModelFolders.Calibrated)} was disposed; load the model folder again", sync.Message);
        Assert.Equal(sync.Message, async.Message);
    }

    [Fact]
    public async Task Async_answers_equal_the_sync_ones_and_a_cancelled_call_runs_nothing()
    {
        using var classifier = EarlyExitClassifier.Load(ModelFolders.Calibrated);
        ImmutableArray<Classification> sync = classifier.Classify([.. CalibratedMiniLm.Sentences.Take(5)]);
        ImmutableArray<Classification> async = await classifier.ClassifyAsync([.. CalibratedMiniLm.Sentences.Take(5)]);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Equal(sync.Select(a => (a.ClassIndex, a.LayersExecuted, a.Probability)), async.Select(a => (a.ClassIndex, a.LayersExecuted, a.Probability)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => classifier.ClassifyAsync(["hello"], cancellationToken: cancelled.Token));
        Assert.Empty(classifier.Classify(Array.Empty<string>()));
    }

    [Fact]
    public void The_default_policy_is_the_calibrated_one_or_else_every_layer()
    {
        using var calibrated = EarlyExitClassifier.Load(ModelFolders.Calibrated);
        using var uncalibrated = EarlyExitClassifier.Load(ModelFolders.Uncalibrated);

        Assert.Equal(calibrated.Calibration!.DefaultPolicy, calibrated.DefaultPolicy);
        Assert.Null(uncalibrated.Calibration);
        Assert.Equal(new PolicySpec("static", 6), uncalibrated.DefaultPolicy);
        // Uncalibrated, every text runs all six layers and answers as the full model.
        Assert.All(uncalibrated.Classify(CalibratedMiniLm.Sentences), a => Assert.Equal((6, 6, false), (a.LayersExecuted, a.ExitCount, a.ExitedEarly)));
    }

    [Fact]
    public void Policy_lookup_refuses_oracles_and_policies_the_folder_cannot_run()
    {
        using var uncalibrated = EarlyExitClassifier.Load(ModelFolders.Uncalibrated);

        var oracle = Assert.Throws<PolicyNotDeployableException>(() => uncalibrated.ResolvePolicy(new PolicySpec("oracle")));
        var pcee = Assert.Throws<ArgumentException>(() => uncalibrated.Classify("hello", new PolicySpec("pcee")));

        Assert.StartsWith("policy 'oracle' is not deployable", oracle.Message);
        Assert.Equal("oracle", oracle.PolicyName);
        Assert.StartsWith("policy 'pcee' needs the model's calibration (run calibrate first)", pcee.Message);
        Assert.Same(uncalibrated.ResolvePolicy(new PolicySpec("max-prob", 0.7)), uncalibrated.ResolvePolicy(new PolicySpec("max-prob", 0.7)));
    }

    [Fact]
    public void The_default_policys_name_alone_is_the_default_policy()
    {
        using var calibrated = EarlyExitClassifier.Load(ModelFolders.Calibrated);
        PolicySpec stored = calibrated.DefaultPolicy;

        // The calibration stores δ rounded; the catalog's own PCEE default is unrounded: "pcee" must not mean that one.
        var byName = Assert.IsType<PceePolicy>(calibrated.ResolvePolicy(new PolicySpec(stored.Name.ToUpperInvariant())));

        Assert.Equal(stored.Parameter, byName.Delta);
        Assert.Same(calibrated.ResolvePolicy(null), byName);
    }

    [Fact]
    public void A_null_text_is_named_by_its_index()
    {
        using var classifier = EarlyExitClassifier.Load(ModelFolders.Calibrated);

        var error = Assert.Throws<ArgumentException>(() => classifier.Classify(["fine", null!]));

        Assert.StartsWith("texts[1] is null; every text must be a string", error.Message);
    }

    private static void AssertSameAsRuntime(InferenceBackend backend, PolicySpec spec)
    {
        var options = new EarlyExitClassifierOptions { Backend = backend, Onnx = new OnnxBackendOptions { IntraOpThreads = 1 }, BatchSize = 64 };
        using var classifier = EarlyExitClassifier.Load(ModelFolders.Calibrated, options);
        IReadOnlyList<string> texts = CalibratedMiniLm.Sentences;

        ImmutableArray<Classification> answers = classifier.Classify(texts, spec);

        // The reference: the checkpoint loaded apart, the backend built from it, the runtime on one batch.
        LoadedCheckpoint checkpoint = ModelCheckpoint.Load(ModelFolders.Calibrated);
        using var encoder = checkpoint.Model;
        IMultiExitModel<TokenBatch> model = InferenceBackends.CreateModel(backend, encoder, options.Onnx);
        try
        {
            ExitPolicy policy = PolicyCatalog.Create(spec, classifier.Calibration, 6);
            var tokenizer = TextTokenizer.ForMiniLm(new TokenizerOptions { LowerCase = true, MaxLength = 128 });
            ImmutableArray<ExitResult> expected = new EarlyExitRuntime<TokenBatch>(model, policy).Run(tokenizer.EncodeBatch([.. texts]));
            Assert.Equal(texts.Count, answers.Length);
            for (int i = 0; i < texts.Count; i++)
            {
                ExitResult want = expected[i];
                Classification got = answers[i];
                Assert.Equal((CalibratedMiniLm.LabelNames[want.Prediction], want.Prediction, want.LayersExecuted, 6),
                    (got.Label, got.ClassIndex, got.LayersExecuted, got.ExitCount));
                // Same kernels on the same batch; the last bits may differ with the buffers' alignment.
                for (int c = 0; c < 2; c++) Assert.Equal(want.Probabilities[c], got.Probabilities[c], 1e-6f);
                Assert.Equal(want.ComputeFraction, got.ComputeFraction);
            }
            // The policy must matter: unless it is the full model, some sentence leaves early.
            if (!(spec.Name == "static" && spec.Parameter == 6)) Assert.Contains(answers, a => a.ExitedEarly);
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }
}
