using EarlyExit.Core.Calibration;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Evaluation;
using EarlyExit.Data.Tokenization;
using EarlyExit.Server.Serving;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Pretrained;
using EarlyExit.Torch.Runtime;
using EarlyExit.Torch.Traces;

namespace EarlyExit.Server.Tests.TestDoubles;

/// <summary>
/// A model directory built once per test run: all-MiniLM-L6-v2's pretrained backbone with fresh
/// 2-class heads drawn from a fixed seed (not trained: the labels below only feed the calibration,
/// so exits and answers are arbitrary but deterministic), calibrated on 40 real sentences, saved
/// as a checkpoint in a temporary directory deleted when the test process exits.
/// </summary>
internal static class TestModel
{
    public static readonly string[] LabelNames = ["negative", "positive"];

    private static readonly Lazy<string> SharedDirectory = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<ServingModel> SharedOffline = new(() => ServingModel.Load(Directory), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Real short sentences, the first 20 positive and the last 20 negative.</summary>
    public static IReadOnlyList<string> Sentences { get; } =
    [
        "I loved this movie!",
        "The food was delicious and the staff were lovely.",
        "What a wonderful surprise.",
        "Best purchase I have made all year.",
        "The concert was fantastic from start to finish.",
        "She was delighted with the results.",
        "A warm, funny and beautifully acted film.",
        "The hotel room was spotless and the view was stunning.",
        "Great value for money.",
        "Our guide was friendly, patient and very knowledgeable.",
        "This book made me smile on every page.",
        "The new update runs fast and smoothly.",
        "I would happily come back here again.",
        "The children had a brilliant time at the park.",
        "Excellent service and quick delivery.",
        "The garden looks gorgeous in spring.",
        "He gave a moving and inspiring speech.",
        "Everything worked perfectly the first time.",
        "A charming little cafe with superb coffee.",
        "The team played brilliantly and deserved the win.",
        "Terrible.",
        "The service was slow and the food was cold.",
        "I want my money back.",
        "The battery died after two hours.",
        "A dull, predictable plot with wooden acting.",
        "The train was late again and nobody apologised.",
        "This is the worst hotel I have ever stayed in.",
        "The app keeps crashing whenever I open it.",
        "Rude staff and dirty tables.",
        "I was bored within ten minutes.",
        "The package arrived broken and incomplete.",
        "Nothing about this product works as advertised.",
        "The noise from the street kept us awake all night.",
        "A disappointing end to an awful season.",
        "The instructions were confusing and useless.",
        "My order was wrong for the third time.",
        "The sequel is a lazy copy of the original.",
        "Customer support never answered my emails.",
        "The room smelled of smoke and damp.",
        "I regret buying this expensive mess.",
    ];

    public static IReadOnlyList<int> Labels { get; } = [.. Enumerable.Range(0, 40).Select(i => i < 20 ? 1 : 0)];

    /// <summary>The model directory (built on first use).</summary>
    public static string Directory => SharedDirectory.Value;

    /// <summary>The same model loaded apart from any server, for offline reference answers (never run from two threads).</summary>
    public static ServingModel Offline => SharedOffline.Value;

    private static readonly object OfflineGate = new();

    /// <summary>
    /// The offline answer: <see cref="EarlyExitRuntime{TInput}.Run"/> on <paramref name="text"/> alone
    /// under the policy <paramref name="spec"/> names (null: the default), on <see cref="Offline"/>.
    /// </summary>
    public static ExitResult RunOffline(string text, PolicySpec? spec)
    {
        lock (OfflineGate)
        {
            ServingModel model = Offline;
            return new EarlyExitRuntime<TokenBatch>(model.Model, model.ResolvePolicy(spec)).Run(model.Tokenizer.Encode(text))[0];
        }
    }

    private static string Create()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"earlyexit-server-tests-{Environment.ProcessId}-{Guid.NewGuid():N}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a temporary directory left behind is harmless.
            }
        };
        // Seeded heads: the exits' confidence spreads, so policies send inputs out at different layers.
        using var encoder = AllMiniLmL6V2.CreateEncoder(LabelNames.Length, headSeed: 20240601);
        var model = new EncoderExitModel(encoder);
        var trace = ExitTraceRecorder.Record(model, TextTokenizer.ForMiniLm(), Sentences, null, Labels, LabelNames);
        ExitCalibration calibration = ExitCalibration.Fit(new TraceEvaluator(trace));
        ModelCheckpoint.Save(encoder, new CheckpointMetadata
        {
            Config = encoder.Config,
            LabelNames = LabelNames,
            Tokenizer = new TokenizerSettings(ServingModel.MiniLmVocabulary, LowerCase: true, MaxLength: 128),
            Calibration = ExitCalibrationJson.ToJsonObject(calibration),
        }, directory);
        return directory;
    }
}
