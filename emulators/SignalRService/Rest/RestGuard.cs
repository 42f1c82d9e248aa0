using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Serverless.SignalRService.Auth;

namespace Serverless.SignalRService.Rest;

/// <summary>
/// Checks every REST request under <c>/api/v1/hubs</c> and <c>/api/hubs</c> before it is routed: a bearer token signed
/// with the AccessKey, unexpired, whose audience is this URL (401); the api-version of the versioned API, the hub and
/// group names (400); the 1 MB body limit (413). It leaves a <see cref="RestRequest"/> for the route.
/// </summary>
internal sealed partial class RestGuard(RequestDelegate next, IOptions<ServiceOptions> options, TimeProvider time, ILogger<RestGuard> logger)
{
    public static bool Guards(PathString path) =>
        path.StartsWithSegments("/api/v1/hubs") || path.StartsWithSegments("/api/hubs");

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var query = AudienceRule.ParseQuery(request.QueryString.Value ?? "");
        try
        {
            Authorize(request, query);
        }
        catch (TokenRejectedException ex)
        {
            LogUnauthorized(request.Method, request.Path, ex.Message);
            await ErrorDetail.Result(StatusCodes.Status401Unauthorized, ex.Message).ExecuteAsync(context);
            return;
        }

        var segments = request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        var versioned = segments[1] == "hubs";
        var hubIndex = versioned ? 2 : 3;
        var hubSegment = segments.ElementAtOrDefault(hubIndex);
        if (versioned && !query.ContainsKey("api-version"))
        {
            await Refuse(context, StatusCodes.Status400BadRequest, "api-version is required (for example api-version=2022-06-01).", "api-version");
            return;
        }

        if (!HubNames.TryNormalize(hubSegment, query.GetValueOrDefault("application"), out var hub))
        {
            await Refuse(context, StatusCodes.Status400BadRequest, $"'{hubSegment}' is not a valid hub name: a letter, then up to 127 letters, digits or _ ` , . [ ].", "hub");
            return;
        }

        var groupIndex = Array.IndexOf(segments, "groups", Math.Min(hubIndex + 1, segments.Length));
        if (groupIndex > 0 && groupIndex + 1 < segments.Length && !segments[groupIndex + 1].StartsWith(':') && !HubNames.IsValidGroup(segments[groupIndex + 1]))
        {
            await Refuse(context, StatusCodes.Status400BadRequest, "A group name is 1 to 1024 characters and not only white space.", "group");
            return;
        }

        TimeSpan? ttl = null;
        if (query.TryGetValue("ttl", out var ttlText))
        {
            if (!int.TryParse(ttlText, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                await Refuse(context, StatusCodes.Status400BadRequest, "ttl is a whole number of seconds.", "ttl");
                return;
            }

            ttl = TimeSpan.FromSeconds(seconds);
        }

        JsonElement? body;
        try
        {
            body = await ReadBodyAsync(context);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await Refuse(context, StatusCodes.Status413PayloadTooLarge, $"The body is larger than {RestApi.MaxBodyBytes} bytes.", "body");
            return;
        }
        catch (JsonException ex)
        {
            await Refuse(context, StatusCodes.Status400BadRequest, $"The body is not JSON: {ex.Message}", "body");
            return;
        }

        var excluded = context.Request.Query["excluded"].Where(e => !string.IsNullOrEmpty(e)).Select(e => e!).ToArray();
        context.Items[typeof(RestRequest)] = new RestRequest(hub, excluded, ttl, body);
        await next(context);
    }

    private void Authorize(HttpRequest request, IReadOnlyDictionary<string, string> query)
    {
        var token = BearerToken.From(request) ?? throw new TokenRejectedException("no Authorization: Bearer token");
        var accessToken = AccessToken.Validate(token, options.Value.AccessKey, time.GetUtcNow());
        if (AudienceRule.Mismatch(accessToken.Audience, request.Scheme, request.Host.Host, request.Host.Port ?? 80, request.Path.Value!, query) is { } mismatch)
        {
            throw new TokenRejectedException(mismatch);
        }
    }

    private static async Task<JsonElement?> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > RestApi.MaxBodyBytes)
        {
            throw new BadHttpRequestException("too large", StatusCodes.Status413PayloadTooLarge);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = RestApi.MaxBodyBytes;
        }

        if (context.Request.ContentLength == 0 || (context.Request.ContentLength is null && !context.Request.Headers.TransferEncoding.Any()))
        {
            return null;
        }

        using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        return document.RootElement.Clone();
    }

    private async Task Refuse(HttpContext context, int status, string message, string target)
    {
        LogRefused(context.Request.Method, context.Request.Path, status, message);
        await ErrorDetail.Result(status, message, target).ExecuteAsync(context);
    }

    [LoggerMessage(EventId = 20, EventName = "RestUnauthorized", Level = LogLevel.Warning, Message = "Refused {Method} {Path}: {Reason}")]
    private partial void LogUnauthorized(string method, string path, string reason);

    [LoggerMessage(EventId = 21, EventName = "RestRefused", Level = LogLevel.Warning, Message = "Refused {Method} {Path} with {Status}: {Reason}")]
    private partial void LogRefused(string method, string path, int status, string reason);
}
