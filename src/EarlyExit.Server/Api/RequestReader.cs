using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EarlyExit.Server.Api;

/// <summary>
/// Reads a JSON request body within <see cref="ServerOptions.MaxRequestBodyBytes"/>: refused from
/// its Content-Length when declared, else counted while read, so a chunked body cannot get past
/// the limit either. Unknown JSON properties are an error (a misspelt "delta" must not be ignored).
/// </summary>
internal static class RequestReader
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The body as <typeparamref name="T"/>, or the problem to answer instead.</summary>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > maxBytes) return (null, TooLarge(maxBytes, $"the body is {request.ContentLength} bytes"));
        var buffer = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes) return (null, TooLarge(maxBytes, $"the body is over {maxBytes} bytes"));
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0) return (null, ApiProblems.BadRequest("the request body is empty; expected a JSON object"));
        try
        {
            T? value = JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), Json);
            return value is null ? (null, ApiProblems.BadRequest("the request body is null; expected a JSON object")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, ApiProblems.BadRequest($"the request body is not valid JSON for this endpoint: {e.Message}"));
        }
    }

    private static ProblemHttpResult TooLarge(long maxBytes, string actual) =>
        ApiProblems.OverLimit(StatusCodes.Status413PayloadTooLarge, nameof(ServerOptions.MaxRequestBodyBytes), maxBytes,
            $"{actual}; the limit (MaxRequestBodyBytes) is {maxBytes} bytes");
}
