using Microsoft.AspNetCore.Http.HttpResults;

namespace EarlyExit.Server.Api;

/// <summary>The API's error answers: RFC 9457 problem details, with the limit broken named where one was.</summary>
internal static class ApiProblems
{
    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");

    /// <summary>A request over a configured limit: <c>limit</c> names the <see cref="ServerOptions"/> property, <c>maximum</c> its value.</summary>
    public static ProblemHttpResult OverLimit(int status, string limit, long maximum, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: status == StatusCodes.Status413PayloadTooLarge ? "Payload too large" : "Bad request",
            extensions: new Dictionary<string, object?> { ["limit"] = limit, ["maximum"] = maximum });

    public static ProblemHttpResult Unavailable(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable");
}
