using System.Security.Claims;
using Microsoft.Extensions.Options;

namespace Serverless.SignalRService.Auth;

/// <summary>
/// Guards <c>/client</c> (negotiate and every transport request): the hub comes from the <c>hub</c> query parameter and
/// the token from <c>Authorization: Bearer</c> or the <c>access_token</c> query parameter (browsers can't set headers
/// on WebSockets and EventSource). The token must be signed with the AccessKey, unexpired, and meant for this URL.
/// </summary>
public sealed partial class ClientAuthentication(RequestDelegate next, IOptions<ServiceOptions> options, TimeProvider time, ILogger<ClientAuthentication> logger)
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

        await next(context);
    }

    [LoggerMessage(EventId = 10, EventName = "ClientUnauthorized", Level = LogLevel.Warning, Message = "Refused client request to {Path}: {Reason}")]
    private partial void LogRefused(string path, string reason);
}

public static class BearerToken
{
    public static string? From(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}
