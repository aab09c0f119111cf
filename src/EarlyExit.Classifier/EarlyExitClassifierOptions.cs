using EarlyExit.Onnx.Runtime;

namespace EarlyExit;

/// <summary>How <see cref="EarlyExitClassifier.Load(string, EarlyExitClassifierOptions?)"/> runs a model folder: the backend and the batches.</summary>
public sealed record EarlyExitClassifierOptions
{
    /// <summary>Texts per runtime batch in <see cref="EarlyExitClassifier.Classify(IReadOnlyList{string}, Core.Catalog.PolicySpec?)"/>, ≥ 1; default 32.
    /// A batch is padded to its longest text, so larger batches of mixed lengths waste work.</summary>
    public const int DefaultBatchSize = 32;

    /// <summary>Which library computes the layers; default <see cref="InferenceBackend.Torch"/>. Both give the same
    /// exits and labels (probabilities within 1e-4); ONNX Runtime is faster on the CPU.</summary>
    public InferenceBackend Backend { get; init; } = InferenceBackend.Torch;

    /// <summary>ONNX Runtime's settings when <see cref="Backend"/> is <see cref="InferenceBackend.Onnx"/>; ignored otherwise.</summary>
    public OnnxBackendOptions Onnx { get; init; } = new();

    /// <summary>The most texts per runtime batch, ≥ 1; default <see cref="DefaultBatchSize"/>.</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>The token budget of a batch: rows × its longest row (<see cref="Data.Batching.TokenBudgetBatches"/>); default 4,096,
    /// a full batch of 32 texts at 128 tokens.</summary>
    public const int DefaultMaxBatchTokens = 4096;

    /// <summary>
    /// The token budget of a runtime batch, ≥ 1; default <see cref="DefaultMaxBatchTokens"/>. The texts of
    /// a call are sorted by length and cut into batches of at most <see cref="BatchSize"/> rows whose
    /// padded size stays within it, so little work goes to padding; answers keep the input order.
    /// </summary>
    public int MaxBatchTokens { get; init; } = DefaultMaxBatchTokens;

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">The backend is not defined, the batch size is below 1, or an ONNX option is out of range; the message names it.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Backend))
            throw new ArgumentException($"{nameof(Backend)} must be one of {string.Join(", ", InferenceBackends.Names)}; got {Backend}", nameof(Backend));
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"{nameof(BatchSize)} must be at least 1; got {BatchSize}");
        if (MaxBatchTokens < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxBatchTokens), MaxBatchTokens, $"{nameof(MaxBatchTokens)} must be at least 1; got {MaxBatchTokens}");
        ArgumentNullException.ThrowIfNull(Onnx, nameof(Onnx));
        Onnx.Validate();
    }
}
