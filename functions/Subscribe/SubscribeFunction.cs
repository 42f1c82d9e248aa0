using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Serverless.Contracts.Api;
using Serverless.Contracts.CloudEvents;
using Serverless.Functions.Access;
using Serverless.Functions.Api;
using Serverless.Pipeline.Access;
using Serverless.Pipeline.CloudEvents;
using Serverless.Pipeline.Push;
using Serverless.Pipeline.Storage;

namespace Serverless.Functions.Subscribe;

/// <summary>
/// <c>POST /api/subscriptions</c> <c>{userId, channels}</c>: adds the caller's SignalR user to each channel's group for
/// <c>Access__SubscriptionMinutes</c>, when the caller may follow every one of them, and answers each channel's epoch
/// and head, from which the client catches up. A signed-in caller's subscription joins its own user; an anonymous
/// caller's joins the anonymous id its negotiate answered. No connection id is taken, so nobody can join someone
/// else's connection (docs/identity.md#connections-belong-to-users).
/// </summary>
public sealed class SubscribeFunction(SignalRRestClient signalR, UpdateLog log, ChannelAccess access, RequestLimiter limiter, SubscriptionLedger ledger, TimeProvider time)
{
    // Each channel costs a SignalR call and a table read: a subscription is charged a request per this many channels.
    private const int ChannelsPerRequest = 10;

    [Function("Subscribe")]
    public async Task<Results<Ok<SubscribeResponse>, ProblemHttpResult>> SubscribeAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "subscriptions")] HttpRequest httpRequest,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        if (httpRequest.ContentType is { } contentType && !JsonMediaType.Matches(contentType))
        {
            return TypedResults.Problem(title: "Unsupported media type", detail: $"The body is JSON (application/json), not {contentType}.",
                statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        // Read to the limit and no further: the rest is left to the server to drain, so that the answer reaches a
        // caller behind a proxy (the Functions host) instead of a connection closed under it.
        ReadOnlyMemory<byte>? body;
        try
        {
            body = await RequestBody.ReadAtMostAsync(httpRequest.Body, SubscribeRequest.MaxBodyBytes, cancellationToken);
        }
        catch (BadHttpRequestException ex)
        {
            // The caller broke off or sent too slowly; the answer is for the record, as it has likely gone.
            return TypedResults.Problem(title: "The request could not be read", detail: ex.Message, statusCode: ex.StatusCode);
        }

        if (body is null)
        {
            return TypedResults.Problem(title: "Request too large", detail: $"A subscription request may be at most {SubscribeRequest.MaxBodyBytes} bytes.",
                statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        SubscribeRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<SubscribeRequest>(body.Value.Span, JsonSerializerOptions.Web);
        }
        catch (JsonException ex)
        {
            return ApiProblems.BadRequest($"The body is not a JSON object {{userId, channels}}: {ex.Message}");
        }

        if (Validate(request) is { } problem)
        {
            return problem;
        }

        var caller = context.GetCaller();
        var (userId, refusal) = Subscriber(caller, request!.UserId, httpRequest.HttpContext);
        if (refusal is not null)
        {
            return refusal;
        }

        var channels = request.Channels!.Distinct().ToArray();
        foreach (var channel in channels)
        {
            if (access.Check(caller, channel) is var decision and not AccessDecision.Allowed)
            {
                if (decision == AccessDecision.SignInRequired)
                {
                    httpRequest.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
                }

                return ApiProblems.ChannelDenied(decision, channel);
            }
        }

        // The first request's worth was taken before the function ran.
        var extra = (channels.Length - 1) / ChannelsPerRequest;
        if (extra > 0 && limiter.TryAcquire(RequestLimiter.ClientOf(caller, httpRequest.HttpContext), extra) is { } retryAfter)
        {
            httpRequest.HttpContext.Response.Headers.RetryAfter = $"{Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))}";
            return ApiProblems.TooManyRequests($"A subscription to {channels.Length} channels counts as {extra + 1} requests, over this client's limit now.");
        }

        var lifetime = access.SubscriptionLifetime;
        if (ledger.TryHold(userId!, channels, time.GetUtcNow() + lifetime) is { } freesIn)
        {
            httpRequest.HttpContext.Response.Headers.RetryAfter = $"{Math.Max(1, (int)Math.Ceiling(freesIn.TotalSeconds))}";
            return ApiProblems.TooManyRequests("This user is subscribed to as many channels as it may hold at once; a place frees as a subscription lapses.");
        }

        var joins = channels.Select(channel => JoinAsync(channel, userId!, lifetime, cancellationToken)).ToArray();
        var heads = channels.Select(channel => log.ReadHeadAsync(channel, cancellationToken)).ToArray();
        var statuses = await Task.WhenAll(joins);
        var headValues = await Task.WhenAll(heads);

        if (statuses.FirstOrDefault(status => (int)status >= 300) is var failed and not 0)
        {
            return TypedResults.Problem(title: "SignalR Service refused the subscription", detail: $"Adding the user to a group answered {(int)failed}.", statusCode: StatusCodes.Status502BadGateway);
        }

        return TypedResults.Ok(new SubscribeResponse(userId!,
            channels.Select((channel, i) => new ChannelPosition(channel, headValues[i]?.Epoch, headValues[i]?.LastSequence ?? 0)).ToArray(),
            (int)lifetime.TotalSeconds));
    }

    /// <summary>The SignalR user the subscription joins, or why it may not.</summary>
    private static (string? UserId, ProblemHttpResult? Refusal) Subscriber(Caller caller, string? named, HttpContext http)
    {
        if (caller.UserId is { } own)
        {
            return named is null || named == own
                ? (own, null)
                : (null, ApiProblems.Forbidden("A subscription joins your own user; the userId named is not yours."));
        }

        if (ClientTokens.IsAnonymousUserId(named))
        {
            return (named, null);
        }

        http.Response.Headers.WWWAuthenticate = "Bearer";
        return (null, ApiProblems.Unauthorized("Sign in, or name the anonymous userId your negotiate answered."));
    }

    private async Task<HttpStatusCode> JoinAsync(string channel, string userId, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await signalR.SendAsync(HttpMethod.Put, SignalRRoutes.UserGroup(signalR.Hub, userId, channel, lifetime), () => null, cancellationToken);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return HttpStatusCode.BadGateway;
        }
    }

    private static ProblemHttpResult? Validate(SubscribeRequest? request)
    {
        if (request is null)
        {
            return ApiProblems.BadRequest("The body must be a JSON object {userId, channels}.");
        }

        if (request.Channels is null || request.Channels.Length == 0 || request.Channels.Length > SubscribeRequest.MaxChannels)
        {
            return ApiProblems.BadRequest($"channels is required: 1 to {SubscribeRequest.MaxChannels} channel names.");
        }

        var invalid = Array.FindIndex(request.Channels, channel => !ChannelName.IsValid(channel));
        return invalid >= 0 ? ApiProblems.InvalidChannel(request.Channels[invalid]) : null;
    }
}
