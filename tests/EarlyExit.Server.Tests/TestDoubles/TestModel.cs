using EarlyExit.Core.Calibration;
using EarlyExit.Core.Catalog;
using EarlyExit.Core.Evaluation;
using EarlyExit.Data.Tokenization;
using EarlyExit.Tests.Shared;
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
    public static string[] LabelNames => CalibratedMiniLm.LabelNames;

    private static readonly Lazy<string> SharedDirectory = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<EarlyExitClassifier> SharedOffline = new(() => EarlyExitClassifier.Load(Directory), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Real short sentences, the first 20 positive and the last 20 negative.</summary>
    public static IReadOnlyList<string> Sentences => CalibratedMiniLm.Sentences;

    public static IReadOnlyList<int> Labels => CalibratedMiniLm.Labels;

    /// <summary>The model directory (built on first use).</summary>
    public static string Directory => SharedDirectory.Value;

    /// <summary>The same model loaded apart from any server, for offline reference answers (never run from two threads).</summary>
    public static EarlyExitClassifier Offline => SharedOffline.Value;

    private static readonly object OfflineGate = new();

    /// <summary>
    /// The offline answer: <see cref="EarlyExitRuntime{TInput}.Run"/> on <paramref name="text"/> alone
    /// under the policy <paramref name="spec"/> names (null: the default), on <see cref="Offline"/>.
    /// </summary>
    public static ExitResult RunOffline(string text, PolicySpec? spec)
    {
        lock (OfflineGate)
        {
            EarlyExitClassifier model = Offline;
            return new EarlyExitRuntime<TokenBatch>(model.Model, model.ResolvePolicy(spec)).Run(model.Tokenizer.Encode(text))[0];
        }
    }

    private static string Create()
    {
        string directory = CalibratedMiniLm.TemporaryFolder("earlyexit-server-tests");
        CalibratedMiniLm.Write(directory);
        return directory;
    }
}
