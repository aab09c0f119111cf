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
        // The web defaults read numbers from strings, "Infinity" and "NaN" among them; a parameter
        // must be a JSON number, and a non-number is the client's error, named by its field.
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>The body as <typeparamref name="T"/>, or the problem to answer instead.</summary>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > maxBytes) return (null, TooLarge(maxBytes, $"the body is {request.ContentLength} bytes"));
        var buffer = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        try
        {
            // Never ask for more than maxBytes + 1 in all: one byte past the limit proves the body is
            // too large, and Kestrel's own limit (one byte above ours) is then never reached.
            int read;
            while ((read = await request.Body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, maxBytes + 1 - buffer.Length)), cancellationToken).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > maxBytes) return (null, TooLarge(maxBytes, $"the body is over {maxBytes} bytes"));
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel counts a chunked body as it arrives, ahead of our reads: the same limit, the same answer.
            return (null, TooLarge(maxBytes, $"the body is over {maxBytes} bytes"));
        }
        if (buffer.Length == 0) return (null, ApiProblems.BadRequest("the request body is empty; expected a JSON object"));
        try
        {
            T? value = JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), Json);
            return value is null ? (null, ApiProblems.BadRequest("the request body is null; expected a JSON object")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, ApiProblems.BadRequest(Describe(e, typeof(T))));
        }
    }

    private static ProblemHttpResult TooLarge(long maxBytes, string actual) =>
        ApiProblems.OverLimit(StatusCodes.Status413PayloadTooLarge, nameof(ServerOptions.MaxRequestBodyBytes), maxBytes,
            $"{actual}; the limit (MaxRequestBodyBytes) is {maxBytes} bytes");

    /// <summary>
    /// The serializer's error in the client's words: System.Text.Json names .NET types
    /// ("could not be converted to System.Nullable`1[System.Double]"), which mean nothing to a
    /// client; this names the JSON field (the exception's path) and the kind of value it takes.
    /// </summary>
    internal static string Describe(JsonException e, Type root)
    {
        // "The JSON property 'delt' could not be mapped to any .NET member contained in type '…'."
        const string unmapped = "The JSON property '";
        if (e.Message.StartsWith(unmapped, StringComparison.Ordinal) && e.Message.IndexOf('\'', unmapped.Length) is var end and > 0)
            return $"unknown property '{e.Message[unmapped.Length..end]}'; expected one of: {string.Join(", ", PropertyNames(root))}";
        if (e.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
        {
            string field = e.Path is null or "$" ? "the request body" : $"'{e.Path[2..]}'";
            return $"{field} must be {Kind(TypeAt(root, e.Path))}";
        }
        // A syntax error: the reader's message names no type, and says where.
        return $"the request body is not valid JSON: {e.Message}";
    }

    // The .NET type at a JSON path such as $.inputs[0], or null where the path leads nowhere known;
    // the serializer's own contract (JSON names, element types) answers, so attributes are honoured.
    private static Type? TypeAt(Type root, string? path)
    {
        Type? type = root;
        foreach (string segment in (path ?? "$").Split('.').Skip(1))
        {
            string name = segment;
            int bracket = segment.IndexOf('[', StringComparison.Ordinal);
            if (bracket >= 0) name = segment[..bracket];
            type = Json.GetTypeInfo(type!).Properties.FirstOrDefault(p => p.Name == name)?.PropertyType;
            for (int i = bracket; i >= 0 && type is not null; i = segment.IndexOf('[', i + 1))
                type = ElementType(type);
            if (type is null) return null;
        }
        return type;
    }

    private static string Kind(Type? type)
    {
        if (type is null) return "a valid value";
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return "a string";
        if (type == typeof(double) || type == typeof(float) || type == typeof(int) || type == typeof(long)) return "a number";
        if (type == typeof(bool)) return "true or false";
        if (ElementType(type) is { } element) return $"an array of {Kind(element).Split(' ', 2)[1]}s";
        return "a JSON object";
    }

    private static Type? ElementType(Type type) => Json.GetTypeInfo(type).ElementType;

    private static IEnumerable<string> PropertyNames(Type type) => Json.GetTypeInfo(type).Properties.Select(p => p.Name);
}
