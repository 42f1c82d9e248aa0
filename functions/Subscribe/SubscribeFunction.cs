using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Serverless.Contracts.Api;
using Serverless.Contracts.CloudEvents;
using Serverless.Functions.Api;
using Serverless.Pipeline.CloudEvents;
using Serverless.Pipeline.Push;
using Serverless.Pipeline.Storage;

namespace Serverless.Functions.Subscribe;

/// <summary>
/// <c>POST /api/subscriptions</c> <c>{connectionId, channels}</c>: adds the connection to each channel's SignalR group
/// and answers each channel's epoch and head, from which the client catches up.
/// </summary>
public sealed class SubscribeFunction(SignalRRestClient signalR, UpdateLog log)
{
    [Function("Subscribe")]
    public async Task<Results<Ok<SubscribeResponse>, ProblemHttpResult>> SubscribeAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "subscriptions")] HttpRequest httpRequest,
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
            return ApiProblems.BadRequest($"The body is not a JSON object {{connectionId, channels}}: {ex.Message}");
        }

        if (Validate(request) is { } problem)
        {
            return problem;
        }

        var channels = request!.Channels!.Distinct().ToArray();
        var joins = channels.Select(channel => JoinAsync(channel, request.ConnectionId!, cancellationToken)).ToArray();
        var heads = channels.Select(channel => log.ReadHeadAsync(channel, cancellationToken)).ToArray();
        var statuses = await Task.WhenAll(joins);
        var headValues = await Task.WhenAll(heads);

        if (statuses.Any(status => status == HttpStatusCode.NotFound))
        {
            return TypedResults.Problem(title: "Connection not found", detail: $"SignalR Service has no connection '{request.ConnectionId}'.", statusCode: StatusCodes.Status404NotFound);
        }

        if (statuses.FirstOrDefault(status => (int)status >= 300) is var failed and not 0)
        {
            return TypedResults.Problem(title: "SignalR Service refused the subscription", detail: $"Adding the connection to a group answered {(int)failed}.", statusCode: StatusCodes.Status502BadGateway);
        }

        return TypedResults.Ok(new SubscribeResponse(request.ConnectionId!,
            channels.Select((channel, i) => new ChannelPosition(channel, headValues[i]?.Epoch, headValues[i]?.LastSequence ?? 0)).ToArray()));
    }

    private async Task<HttpStatusCode> JoinAsync(string channel, string connectionId, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await signalR.SendAsync(HttpMethod.Put, SignalRRoutes.GroupConnection(signalR.Hub, channel, connectionId), () => null, cancellationToken);
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
            return ApiProblems.BadRequest("The body must be a JSON object {connectionId, channels}.");
        }

        if (string.IsNullOrWhiteSpace(request.ConnectionId) || request.ConnectionId.Length > SubscribeRequest.MaxConnectionIdLength
            || request.ConnectionId.Any(char.IsControl))
        {
            return ApiProblems.BadRequest($"connectionId is required: the id of your SignalR connection (at most {SubscribeRequest.MaxConnectionIdLength} characters, none of them control characters).");
        }

        if (request.Channels is null || request.Channels.Length == 0 || request.Channels.Length > SubscribeRequest.MaxChannels)
        {
            return ApiProblems.BadRequest($"channels is required: 1 to {SubscribeRequest.MaxChannels} channel names.");
        }

        var invalid = Array.FindIndex(request.Channels, channel => !ChannelName.IsValid(channel));
        return invalid >= 0 ? ApiProblems.InvalidChannel(request.Channels[invalid]) : null;
    }
}
