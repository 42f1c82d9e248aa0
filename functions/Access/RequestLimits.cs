using System.Globalization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Serverless.Functions.Api;

namespace Serverless.Functions.Access;

/// <summary>
/// Answers a client over its limit with 429, <c>Retry-After</c> and problem details before any function runs, so that
/// a flood costs no storage read and no SignalR call (docs/identity.md#limits-per-client).
/// </summary>
internal sealed partial class RequestLimits(RequestLimiter limiter, ILogger<RequestLimits> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (context.GetHttpContext() is not { } http)
        {
            await next(context);
            return;
        }

        var client = RequestLimiter.ClientOf(context.GetCaller(), http);
        if (limiter.TryAcquire(client) is { } retryAfter)
        {
            LogLimited(logger, context.FunctionDefinition.Name, client);
            await RefuseAsync(http, retryAfter);
            return;
        }

        await next(context);
    }

    /// <summary>429 with <c>Retry-After</c> in whole seconds and problem details.</summary>
    public static Task RefuseAsync(HttpContext http, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return ApiProblems.TooManyRequests($"Too many requests from this client: try again in {seconds} s.").ExecuteAsync(http);
    }

    [LoggerMessage(EventId = 81, EventName = "RequestLimited", Level = LogLevel.Debug, Message = "{Function}: {Client} is over its request limit")]
    private static partial void LogLimited(ILogger logger, string function, string client);
}
