using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Serverless.Contracts.Api;
using Serverless.Functions.Api;
using Serverless.Pipeline.Storage;

namespace Serverless.Functions.Updates;

/// <summary>
/// <c>GET /api/channels/{channel}/updates?after=N&amp;limit=M</c>: the stored updates after sequence N, in order, with the
/// channel's head and epoch, within <see cref="PageLimits.MaxDataBytes"/>. It is the catch-up path after a missed
/// push, and the plain-polling transport; 410 when N is below what the log still keeps (docs/retention.md). Only a
/// caller who may follow the channel gets here (<see cref="Access.ChannelRouteCheck"/>).
/// </summary>
public sealed class UpdatesFunction(UpdateLog log)
{
    /// <remarks>An invalid channel name (400) and a caller who may not follow it (401, 403) are answered before this runs.</remarks>
    [Function("Updates")]
    public async Task<Results<Ok<UpdatesPage>, ProblemHttpResult>> ReadAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "channels/{channel}/updates")] HttpRequest request,
        string channel,
        CancellationToken cancellationToken)
    {
        if (!QueryValues.TryRead(request, "after", 0, 0, long.MaxValue - UpdatesPage.MaxLimit, out var after))
        {
            return ApiProblems.BadRequest("after must be a whole number ≥ 0: the last sequence number you have.");
        }

        if (!QueryValues.TryRead(request, "limit", UpdatesPage.DefaultLimit, 1, UpdatesPage.MaxLimit, out var limit))
        {
            return ApiProblems.BadRequest($"limit must be a whole number from 1 to {UpdatesPage.MaxLimit}.");
        }

        var head = log.ReadHeadAsync(channel, cancellationToken);
        var updates = log.ReadAsync(channel, after, (int)limit, cancellationToken);
        var (headValue, stored) = (await head, await updates);
        if (headValue is not null && after < headValue.LastSequence && (stored.Count == 0 || stored[0].Seq != after + 1))
        {
            // What follows N is not in the log: trimmed by compaction, perhaps while this read ran, so the head is read
            // again for where the log now starts (docs/retention.md).
            headValue = await log.ReadHeadAsync(channel, cancellationToken) ?? headValue;
            if (after + 1 < headValue.FirstRetained)
            {
                return ApiProblems.HistoryTrimmed(channel, after, headValue.FirstRetained);
            }
        }

        return TypedResults.Ok(new UpdatesPage(
            channel,
            headValue?.Epoch,
            headValue?.LastSequence ?? 0,
            PageBudget.Within(stored, u => u.Data).Select(u => new UpdateItem(u.Seq, u.Id, u.Key, u.Type, u.Time, u.Data)).ToArray()));
    }
}
