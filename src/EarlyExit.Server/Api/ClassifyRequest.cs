using System.ComponentModel;

namespace EarlyExit.Server.Api;

/// <summary>The body of <c>POST /v1/classify</c>.</summary>
/// <param name="Inputs">The texts to classify; one result each, in order.</param>
/// <param name="Policy">Exit policy name (e.g. "pcee"); null for the model's calibrated default.</param>
/// <param name="Parameter">The policy's parameter (τ, P, α, δ or k); null for the policy's default.</param>
/// <param name="Delta">PCEE's accuracy target δ in [0, 1], an alias of <paramref name="Parameter"/> for pcee and pcee-ws.</param>
public sealed record ClassifyRequest(
    [property: Description("The texts to classify; one result each, in order. At least one; at most MaxInputsPerRequest, each at most MaxCharactersPerInput characters.")]
    IReadOnlyList<string?>? Inputs,
    // The valid names are appended from the policy catalog when the document is built (EarlyExitApi.DescribePolicies).
    [property: Description("Exit policy. Default: the model's default (GET /v1/model).")]
    string? Policy = null,
    [property: Description("The policy's parameter (threshold τ, patience P, BEEM α, PCEE δ, static k). Default: the policy's own default.")]
    double? Parameter = null,
    [property: Description("PCEE's per-request accuracy target δ in [0, 1]: exit as soon as validation inputs of similar confidence at that layer were at least δ accurate. Alias of parameter for pcee and pcee-ws.")]
    double? Delta = null);
