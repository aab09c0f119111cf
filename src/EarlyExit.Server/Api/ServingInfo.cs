using System.ComponentModel;

namespace EarlyExit.Server.Api;

/// <summary>How requests are batched and limited, and which backend runs the model.</summary>
/// <param name="Mode">Batching mode.</param>
/// <param name="MaxBatchSize">Most rows per layer call.</param>
/// <param name="MaxQueueDelayMilliseconds">Longest wait for a batch to fill.</param>
/// <param name="QueueCapacity">Most pending inputs.</param>
/// <param name="MaxInputsPerRequest">Most inputs per request.</param>
/// <param name="MaxCharactersPerInput">Most characters per input.</param>
/// <param name="MaxRequestBodyBytes">Most bytes per request body.</param>
/// <param name="Backend">torch or onnx (<see cref="InferenceBackends.NameOf"/>).</param>
public sealed record ServingInfo(
    [property: Description("The batching mode: depth-pooled, static or single (earlyexit serve --batching).")] string Mode,
    [property: Description("Most rows per layer call.")] int MaxBatchSize,
    [property: Description("Longest wait for a batch to fill, in milliseconds.")] double MaxQueueDelayMilliseconds,
    [property: Description("Most inputs accepted and not yet answered.")] int QueueCapacity,
    [property: Description("Most inputs per request.")] int MaxInputsPerRequest,
    [property: Description("Most characters per input.")] int MaxCharactersPerInput,
    [property: Description("Most bytes per request body.")] long MaxRequestBodyBytes,
    [property: Description("The library that computes the layers: torch or onnx.")] string Backend);
