using System.Security.Claims;
using Microsoft.Extensions.Options;
using Serverless.SignalRService.Hubs;
using Serverless.SignalRService.Rest;

namespace Serverless.SignalRService.Auth;

/// <summary>
/// Guards <c>/client</c> (negotiate and every transport request): the hub comes from the <c>hub</c> query parameter and
/// the token from <c>Authorization: Bearer</c> or the <c>access_token</c> query parameter (browsers can't set headers
/// on WebSockets and EventSource). The token must be signed with the AccessKey, unexpired, and meant for this URL.
/// </summary>
internal sealed partial class ClientAuthentication(RequestDelegate next, IOptions<ServiceOptions> options, ConnectionRegistry registry, TimeProvider time, ILogger<ClientAuthentication> logger)
{
    public const string ClientPath = "/client";
    public const string HubClaim = "asrs.hub";

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Method == HttpMethods.Options)
        {
            await next(context);
            return;
        }

        var hubParameter = context.Request.Query["hub"].ToString();
        if (!HubNames.TryNormalize(hubParameter, context.Request.Query["application"].ToString(), out var hub))
        {
            LogRefused(context.Request.Path, $"hub '{hubParameter}' is missing or not a valid hub name");
            await Results.Problem(statusCode: 400, detail: "The hub query parameter must name a hub.").ExecuteAsync(context);
            return;
        }

        var token = BearerToken.From(context.Request) ?? context.Request.Query["access_token"].ToString();
        try
        {
            if (string.IsNullOrEmpty(token))
            {
                throw new TokenRejectedException("no access token (Authorization: Bearer or access_token)");
            }

            var accessToken = AccessToken.Validate(token, options.Value.AccessKey, time.GetUtcNow());
            var query = AudienceRule.ParseQuery(context.Request.QueryString.Value ?? "");
            if (AudienceRule.Mismatch(accessToken.Audience, context.Request.Scheme, context.Request.Host.Host, context.Request.Host.Port ?? 80, ClientPath, query) is { } mismatch)
            {
                throw new TokenRejectedException(mismatch);
            }

            var claims = accessToken.Claims.Select(c => new Claim(c.Key, c.Value)).Append(new Claim(HubClaim, hub));
            context.User = new ClaimsPrincipal(new ClaimsIdentity(claims, "AccessKey", "nameid", "role"));
        }
        catch (TokenRejectedException ex)
        {
            LogRefused(context.Request.Path, ex.Message);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        // The tier's connection quota, as the service keeps it: a negotiate or a new transport past it is refused with
        // 429 (docs/signalr-service.md#connection-quota).
        // A negotiate, or a transport that opens a connection (WebSockets, Server-Sent Events): a later long poll of an
        // open connection is not a new one.
        var opensConnection = context.Request.Path.Value?.EndsWith("/negotiate", StringComparison.Ordinal) == true
            || (HttpMethods.IsGet(context.Request.Method)
                && (context.WebSockets.IsWebSocketRequest || context.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.Ordinal)));
        if (opensConnection && registry.OpenConnections >= options.Value.MaxConnections)
        {
            LogQuota(options.Value.MaxConnections, options.Value.Tier, options.Value.Units);
            await ErrorDetail.Result(StatusCodes.Status429TooManyRequests,
                $"The service has {options.Value.MaxConnections} concurrent connections, its quota ({options.Value.Tier}, {options.Value.Units} unit(s)).").ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    [LoggerMessage(EventId = 11, EventName = "ConnectionQuotaReached", Level = LogLevel.Warning, Message = "Refused a client connection: {MaxConnections} connections are open, the quota of {Units} {Tier} unit(s)")]
    private partial void LogQuota(int maxConnections, string tier, int units);

    [LoggerMessage(EventId = 10, EventName = "ClientUnauthorized", Level = LogLevel.Warning, Message = "Refused client request to {Path}: {Reason}")]
    private partial void LogRefused(string path, string reason);
}

internal static class BearerToken
{
    public static string? From(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}
