using System.ComponentModel;

namespace EarlyExit.Server.Api;

/// <summary>What the model answered for one input.</summary>
/// <param name="Label">The predicted class name.</param>
/// <param name="LabelIndex">The predicted class, 0-based.</param>
/// <param name="Probability">softmax probability of the predicted class at the exit taken.</param>
/// <param name="ExitLayer">Layers the input ran, 1..M: it left at the exit after this layer.</param>
/// <param name="ComputeFraction">The input's FLOPs over the full model's for the same input (above 1 when it ran every layer and head).</param>
/// <param name="Id">The answer's id, for <c>POST /v1/feedback</c> while it is among the server's most recent answers.</param>
public sealed record ClassifyResult(
    [property: Description("The predicted class name.")] string Label,
    [property: Description("The predicted class index, 0-based.")] int LabelIndex,
    [property: Description("Softmax probability of the predicted class at the exit taken.")] double Probability,
    [property: Description("Layers the input ran (1-based): it left at the exit after this layer.")] int ExitLayer,
    [property: Description("FLOPs used over the FLOPs of the full model (all layers, final head) for this input.")] double ComputeFraction,
    [property: Description("The answer's id: send it with the true label to POST /v1/feedback (within the feedback window).")] string Id);
