using System.Collections.Immutable;

namespace EarlyExit;

/// <summary>What <see cref="EarlyExitClassifier"/> answered for one text.</summary>
/// <param name="Label">The predicted class's name.</param>
/// <param name="ClassIndex">The predicted class, 0-based: the largest logit at the exit taken (first on ties).</param>
/// <param name="Probabilities">softmax of that exit's logits, one per class (index = class), summing to 1.</param>
/// <param name="LayersExecuted">Layers the text ran, 1..<paramref name="ExitCount"/>: it left at exit <c>LayersExecuted</c>.</param>
/// <param name="ExitCount">M, the model's number of exits (layers).</param>
/// <param name="ComputeFraction">FLOPs the text ran / FLOPs the same text costs in the plain model (all layers, the
/// final head only), counted for its own length; above 1 when it ran every layer, through every internal head.</param>
/// <remarks>Record equality compares <paramref name="Probabilities"/> by reference.</remarks>
public sealed record Classification(
    string Label,
    int ClassIndex,
    ImmutableArray<float> Probabilities,
    int LayersExecuted,
    int ExitCount,
    double ComputeFraction)
{
    /// <summary>The predicted class's probability, <c>Probabilities[ClassIndex]</c>.</summary>
    public float Probability => Probabilities[ClassIndex];

    /// <summary>True when the text left before the last layer.</summary>
    public bool ExitedEarly => LayersExecuted < ExitCount;
}
