using System.ComponentModel;
using EarlyExit.Torch.Checkpoints;
using EarlyExit.Torch.Models;

namespace EarlyExit.Server.Api;

/// <summary>The answer of <c>GET /v1/model</c>: what is served and how.</summary>
/// <param name="Config">The encoder's architecture.</param>
/// <param name="Labels">Class names, index = class id.</param>
/// <param name="Tokenizer">The tokenizer settings, or null when the checkpoint records none (MiniLM defaults).</param>
/// <param name="Calibration">The exit calibration's summary, or null for an uncalibrated model.</param>
/// <param name="DefaultPolicy">The policy of a request that names none.</param>
/// <param name="Policies">Policy names a request may use.</param>
/// <param name="Batching">The batching mode and limits.</param>
/// <param name="Feedback">Realised accuracy and agreement from POST /v1/feedback, the promise and the alarm.</param>
public sealed record ModelInfo(
    [property: Description("The encoder's architecture.")] EncoderConfig Config,
    [property: Description("Class names, index = class id.")] IReadOnlyList<string> Labels,
    [property: Description("Tokenizer settings; null means the MiniLM defaults.")] TokenizerSettings? Tokenizer,
    [property: Description("Exit calibration summary; null for an uncalibrated model.")] CalibrationSummary? Calibration,
    [property: Description("The policy of a request that names none.")] PolicyInfo DefaultPolicy,
    [property: Description("Policy names a request may use.")] IReadOnlyList<string> Policies,
    [property: Description("Batching mode and request limits.")] ServingInfo Batching,
    [property: Description("Realised accuracy and agreement from POST /v1/feedback over its window, the promise checked and the alarm.")] FeedbackSummary Feedback);
