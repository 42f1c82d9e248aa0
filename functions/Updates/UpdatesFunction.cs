using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Serverless.Functions.Api;
using Serverless.Functions.CloudEvents;
using Serverless.Functions.Push;
using Serverless.Functions.Storage;

namespace Serverless.Functions.Updates;

/// <summary>
/// <c>GET /api/channels/{channel}/updates?after=N&amp;limit=M</c>: the stored updates after sequence N, in order, with the
/// channel's head and epoch. It is the catch-up path after a missed push, and the plain-polling transport.
/// </summary>
public sealed class UpdatesFunction(UpdateLog log)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    [Function("Updates")]
    public async Task<Results<Ok<UpdatesPage>, ProblemHttpResult>> ReadAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "channels/{channel}/updates")] HttpRequest request,
        string channel,
        CancellationToken cancellationToken)
    {
        if (!ChannelName.IsValid(channel))
        {
            return ApiProblems.InvalidChannel(channel);
        }

        if (!QueryValues.TryRead(request, "after", 0, 0, long.MaxValue - MaxLimit, out var after))
        {
            return ApiProblems.BadRequest("after must be a whole number ≥ 0: the last sequence number you have.");
        }

        if (!QueryValues.TryRead(request, "limit", DefaultLimit, 1, MaxLimit, out var limit))
        {
            return ApiProblems.BadRequest($"limit must be a whole number from 1 to {MaxLimit}.");
        }

        var head = log.ReadHeadAsync(channel, cancellationToken);
        var updates = log.ReadAsync(channel, after, (int)limit, cancellationToken);
        var (headValue, stored) = (await head, await updates);
        return TypedResults.Ok(new UpdatesPage(
            channel,
            headValue?.Epoch,
            headValue?.LastSequence ?? 0,
            stored.Select(u => new UpdateItem(u.Seq, u.Id, u.Key, u.Type, u.Time, u.Data)).ToArray()));
    }
}

/// <summary>A page of a channel's log; <see cref="Head"/> tells whether more follows.</summary>
public sealed record UpdatesPage(string Channel, string? Epoch, long Head, IReadOnlyList<UpdateItem> Updates);
