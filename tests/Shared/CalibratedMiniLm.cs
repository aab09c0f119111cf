using EarlyExit.Core.Calibration;
using EarlyExit.Core.Evaluation;
using EarlyExit.Data.Tokenization;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Pretrained;
using EarlyExit.Torch.Runtime;
using EarlyExit.Torch.Traces;

namespace EarlyExit.Tests.Shared;

/// <summary>
/// The model folder the library and server tests run (this file is compiled into both test
/// projects): all-MiniLM-L6-v2's pretrained backbone with fresh 2-class heads drawn from a fixed
/// seed (not trained: the labels below only feed the calibration, so exits and answers are
/// arbitrary but deterministic), calibrated on 40 real sentences and saved as a checkpoint.
/// </summary>
internal static class CalibratedMiniLm
{
    /// <summary>The two classes.</summary>
    public static readonly string[] LabelNames = ["negative", "positive"];

    /// <summary>The heads' seed: the exits' confidence spreads, so policies send inputs out at different layers.</summary>
    public const ulong HeadSeed = 20240601;

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

    /// <summary>1 for the first 20 sentences, 0 for the last 20.</summary>
    public static IReadOnlyList<int> Labels { get; } = [.. Enumerable.Range(0, 40).Select(i => i < 20 ? 1 : 0)];

    /// <summary>Writes the model folder to <paramref name="directory"/>.</summary>
    /// <param name="directory">Created if missing.</param>
    /// <param name="calibrated">False to leave the calibration out (an uncalibrated folder).</param>
    public static void Write(string directory, bool calibrated = true)
    {
        using var encoder = AllMiniLmL6V2.CreateEncoder(LabelNames.Length, headSeed: HeadSeed);
        ExitCalibration? calibration = null;
        if (calibrated)
        {
            var trace = ExitTraceRecorder.Record(new EncoderExitModel(encoder), TextTokenizer.ForMiniLm(), Sentences, null, Labels, LabelNames);
            calibration = ExitCalibration.Fit(new TraceEvaluator(trace));
        }
        ModelCheckpoint.Save(encoder, new CheckpointMetadata
        {
            Config = encoder.Config,
            LabelNames = LabelNames,
            Tokenizer = new TokenizerSettings(AllMiniLmL6V2.VocabularyName, LowerCase: true, MaxLength: 128),
            Calibration = calibration is null ? null : ExitCalibrationJson.ToJsonObject(calibration),
        }, directory);
    }

    /// <summary>A new temporary folder, deleted when the test process exits.</summary>
    /// <param name="prefix">The folder name's start.</param>
    public static string TemporaryFolder(string prefix)
    {
        string directory = Path.Combine(Path.GetTempPath(), $"{prefix}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a temporary folder left behind is harmless.
            }
        };
        return directory;
    }
}
