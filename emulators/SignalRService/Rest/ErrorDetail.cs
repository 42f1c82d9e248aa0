namespace Serverless.SignalRService.Rest;

/// <summary>The service's error body (swagger <c>ErrorDetail</c>).</summary>
internal sealed record ErrorDetail(string Code, string Message, string? Target = null)
{
    public static IResult Result(int status, string message, string? target = null) =>
        Results.Json(new ErrorDetail(CodeOf(status), message, target), statusCode: status);

    private static string CodeOf(int status) => status switch
    {
        400 => "Error.BadRequest",
        401 => "Error.Unauthorized",
        404 => "Error.NotFound",
        413 => "Error.PayloadTooLarge",
        429 => "Error.TooManyRequests",
        _ => "Error.Unknown",
    };
}
