using System.ComponentModel;
using System.Text.Json;

namespace EarlyExit.Server.Api;

/// <summary>The body of <c>POST /v1/feedback</c>: the true label of an answer the server gave.</summary>
/// <param name="Id">The <c>id</c> a classify result returned.</param>
/// <param name="Label">The true class: its name (one of the model's labels) or its 0-based index.</param>
public sealed record FeedbackRequest(
    [property: Description("The id a classify result returned.")] string? Id,
    [property: Description("The true class, by name (one of the model's labels) or 0-based index.")] JsonElement? Label);
