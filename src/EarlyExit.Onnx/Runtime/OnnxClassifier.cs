using EarlyExit.Data.Tokenization;
using EarlyExit.Onnx.Export;
using EarlyExit.Torch.Models;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace EarlyExit.Onnx.Runtime;

/// <summary>
/// The plain classifier in ONNX Runtime: every layer and the final head in one graph
/// (<see cref="OnnxExporter.ExportFullModel"/>), one session, no early exit. What a user deploys
/// without EarlyExit, and the baseline the early-exit backend is measured against.
/// </summary>
/// <remarks>Inputs and outputs are ORT values over managed arrays (no TorchSharp involved). Thread-safe as its ORT session is.</remarks>
public sealed class OnnxClassifier : IDisposable
{
    private static readonly string[] InputNames = [OnnxTensorNames.InputIds, OnnxTensorNames.TokenTypeIds, OnnxTensorNames.AttentionMask];
    private static readonly string[] OutputNames = [OnnxTensorNames.Logits];

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();

    private OnnxClassifier(InferenceSession session, int classCount)
    {
        _session = session;
        ClassCount = classCount;
    }

    /// <summary>Exports <paramref name="encoder"/> as one graph and opens a session on it.</summary>
    /// <param name="encoder">The model; read once, not kept.</param>
    /// <param name="options">ORT settings; null for the defaults.</param>
    /// <returns>The classifier; the caller disposes it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="encoder"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static OnnxClassifier Create(MultiExitEncoder encoder, OnnxBackendOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        options ??= new OnnxBackendOptions();
        using SessionOptions sessionOptions = options.CreateSessionOptions();
        byte[] model = OnnxExporter.ExportFullModel(encoder, options.Precision).ToByteArray();
        return new OnnxClassifier(new InferenceSession(model, sessionOptions), encoder.Config.ClassCount);
    }

    /// <summary>C, the number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>Classifies a batch.</summary>
    /// <param name="batch">Tokenized text.</param>
    /// <returns>(batch, classes) logits of the final head, row-major.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="batch"/> is null.</exception>
    public float[] Run(TokenBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        long[] shape = [batch.BatchSize, batch.SequenceLength];
        var logits = new float[batch.BatchSize * ClassCount];
        using OrtValue ids = TensorValues.ReadOnly(batch.InputIds, shape);
        using OrtValue types = TensorValues.ReadOnly(batch.TokenTypeIds, shape);
        using OrtValue mask = TensorValues.ReadOnly(batch.AttentionMask, shape);
        using OrtValue output = OrtValue.CreateTensorValueFromMemory(logits, [batch.BatchSize, ClassCount]);
        _session.Run(_runOptions, InputNames, [ids, types, mask], OutputNames, [output]);
        return logits;
    }

    /// <summary>Frees the session.</summary>
    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
