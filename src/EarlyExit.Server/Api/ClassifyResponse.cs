using System.ComponentModel;

namespace EarlyExit.Server.Api;

/// <summary>The answer of <c>POST /v1/classify</c>.</summary>
/// <param name="Policy">The policy every input ran under.</param>
/// <param name="Results">One result per input, in input order.</param>
public sealed record ClassifyResponse(
    [property: Description("The policy every input ran under, with its parameter.")] PolicyInfo Policy,
    [property: Description("One result per input, in input order.")] IReadOnlyList<ClassifyResult> Results);
