using System.Text;
using EarlyExit.Server.Api;
using Microsoft.AspNetCore.Http;

namespace EarlyExit.Server.Tests.Api;

/// <summary>The body reader on bodies with and without a declared length (the test host always declares one).</summary>
public sealed class RequestReaderTests
{
    [Fact]
    public async Task AnUndeclaredBodyIsCountedWhileReadAndRefusedPastTheLimit()
    {
        byte[] body = Encoding.UTF8.GetBytes("{\"inputs\": [\"" + new string('x', 90) + "\"]}"); // 13 + 90 + 3 = 106 bytes

        var (tooLong, problem) = await RequestReader.ReadAsync<ClassifyRequest>(Request(body), maxBytes: 100, CancellationToken.None);
        var (fits, none) = await RequestReader.ReadAsync<ClassifyRequest>(Request(body), maxBytes: 106, CancellationToken.None);

        Assert.Null(tooLong);
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, problem!.StatusCode);
        Assert.Equal("the body is over 100 bytes; the limit (MaxRequestBodyBytes) is 100 bytes", problem.ProblemDetails.Detail);
        Assert.Null(none);
        Assert.Equal(new string('x', 90), fits!.Inputs![0]);
    }

    private static HttpRequest Request(byte[] body)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(body); // no ContentLength: as a chunked body arrives
        return context.Request;
    }
}
