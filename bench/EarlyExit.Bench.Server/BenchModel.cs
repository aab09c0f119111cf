using EarlyExit.Core.Calibration;
using EarlyExit.Core.Evaluation;
using EarlyExit.Data.Tokenization;
using EarlyExit.Server.Serving;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Pretrained;
using EarlyExit.Torch.Runtime;
using EarlyExit.Torch.Traces;

namespace EarlyExit.Bench.Server;

/// <summary>
/// The demo model served when no --model is given: all-MiniLM-L6-v2's pretrained backbone with
/// 2-class heads drawn from a fixed seed (untrained, so its answers are arbitrary but fixed),
/// calibrated on 32 of the bench sentences and saved to a temporary directory.
/// </summary>
internal static class BenchModel
{
    public static string Create(string directory)
    {
        using var encoder = AllMiniLmL6V2.CreateEncoder(2, headSeed: 20240601);
        var calibrationSet = BenchSentences.All.Where((_, i) => i % 2 == 0).ToArray(); // 16 positive, 16 negative
        var trace = ExitTraceRecorder.Record(new EncoderExitModel(encoder), TextTokenizer.ForMiniLm(),
            [.. calibrationSet.Select(s => s.Text)], null, [.. calibrationSet.Select(s => s.Label)], ["negative", "positive"]);
        ModelCheckpoint.Save(encoder, new CheckpointMetadata
        {
            Config = encoder.Config,
            LabelNames = ["negative", "positive"],
            Tokenizer = new TokenizerSettings(ServingModel.MiniLmVocabulary, LowerCase: true, MaxLength: 128),
            Calibration = ExitCalibrationJson.ToJsonObject(ExitCalibration.Fit(new TraceEvaluator(trace))),
        }, directory);
        return directory;
    }
}
