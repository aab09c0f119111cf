using EarlyExit.Torch.Models;

namespace EarlyExit.Torch.Import;

/// <summary>How <see cref="HuggingFaceModel.Load"/> builds the exit heads the folder does not hold.</summary>
public sealed record HuggingFaceImportOptions
{
    /// <summary>
    /// Classes of the heads. Required for a bare backbone (no classifier keys); with a
    /// <c>*ForSequenceClassification</c> checkpoint the classifier's rows decide it, and a value
    /// given here must agree.
    /// </summary>
    public int? ClassCount { get; init; }

    /// <summary>
    /// Pooling of the new exit heads. Default <see cref="ExitPooling.Cls"/>. A checkpoint's classifier
    /// head keeps reading [CLS] whatever this says (<see cref="EncoderConfig.FinalExitPooling"/>), so
    /// <see cref="ExitPooling.Mean"/> here gives mean-pooled internal exits beside it. For a bare
    /// backbone the new final head pools this way too, and a Mean one is a model
    /// <see cref="HuggingFaceModel.Write"/> refuses.
    /// </summary>
    public ExitPooling Pooling { get; init; } = ExitPooling.Cls;

    /// <summary>Whether the heads apply a dense layer before the classifier (default true; a classifier head needs it).</summary>
    public bool HeadDense { get; init; } = true;

    /// <summary>
    /// Seed of the new heads' initialisation (nn.Linear's default distribution, drawn from a
    /// <c>torch.Generator</c> of the import's own, so the global generator neither matters nor moves). Default 0.
    /// </summary>
    public long Seed { get; init; }
}

/// <summary>A model imported from a Hugging Face folder.</summary>
/// <param name="Model">The multi-exit encoder; the final exit is the checkpoint's classifier when it had one.</param>
/// <param name="LabelNames">Class names by class index: <c>id2label</c> ordered by id, or LABEL_0… for a new head.</param>
/// <param name="HasClassifierHead">Whether the final exit's weights came from the folder.</param>
/// <param name="Architecture">The family the folder's <c>model_type</c> named.</param>
public sealed record ImportedModel(MultiExitEncoder Model, IReadOnlyList<string> LabelNames, bool HasClassifierHead, EncoderArchitecture Architecture);
